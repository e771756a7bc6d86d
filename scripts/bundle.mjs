// Bundles the compiled CLI into one CommonJS file, dist/src/cli/main.bundle.cjs, that bin/ runs
// through V8's code cache (src/cli/launch.ts, its launcher, bundled too), and the extraction
// thread's bundle; fails if one of them would need Node's ES module loader.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** commander's `require("node:child_process")` gets scripts/lazy-child-process.cjs (see there). */
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`${path.sep}commander${path.sep}`) ? { path: path.resolve("scripts/lazy-child-process.cjs") } : undefined,
    );
  },
};

// One bundle, not ~130 modules: resolving and linking them cost ~100 ms at every start; a
// command's modules still run only when it is chosen. undici stays external (loaded only to
// download). Beside the bundle: main.bundle.digest (names this build's code cache) and
// code-cache/, emptied here. Modules find workers and package.json relative to dist/src/cli/.
// Earlier builds' outputs: ES module chunks, the cache of other code.
for (const file of readdirSync("dist/src/cli")) {
  if ((file.startsWith("bundle-") && file.endsWith(".js")) || file === "main.bundle.js") rmSync(`dist/src/cli/${file}`);
}
rmSync("dist/src/cli/code-cache", { recursive: true, force: true });

const commonjs = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  // `import()` becomes `require()`: starting Node's ES module loader costs ~12 ms.
  supported: { "dynamic-import": false },
  // Every module's `import.meta.url` is its output file's: all sit in dist/src/cli/.
  define: { "import.meta.url": "__bundleUrl" },
  banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: "warning",
};
const bundle = "dist/src/cli/main.bundle.cjs";
// The index codec's fingerprint, of the compiled modules bundled here (src/repository/codec.ts).
const { codecFingerprint } = await import(pathToFileURL(path.resolve("dist/src/repository/codec.js")).href);
// The file is the function a CommonJS module is wrapped in, so that the launcher compiles the text
// as read (one copy of ~0.57 MB, not a second one made by wrapping it).
await build({
  ...commonjs,
  entryPoints: ["dist/src/cli/main.js"],
  outfile: bundle,
  plugins: [lazyChildProcess],
  external: ["undici"],
  // Without comments and indentation the file is ASCII only (esbuild escapes the rest), so the
  // launcher reads it as Latin-1, ~3 times faster than decoding UTF-8; names stay in stack traces.
  minifyWhitespace: true,
  define: { ...commonjs.define, __CODEC_FINGERPRINT__: JSON.stringify(codecFingerprint()) },
  banner: { js: `(function (exports, require, module, __filename, __dirname) {\n${commonjs.banner.js}` },
  footer: { js: "})" },
});
// bin/ requires the launcher, which runs the bundle (src/cli/launch.ts).
const launcher = "dist/src/cli/launch.cjs";
await build({ ...commonjs, entryPoints: ["dist/src/cli/launch.js"], outfile: launcher });

// The extraction worker (src/fetch/extract-worker.ts), bundled beside its module the same way:
// CommonJS too, so that each thread starts without an ES module loader.
const worker = "dist/src/fetch/extract-worker.bundle.cjs";
rmSync("dist/src/fetch/extract-worker.bundle.js", { force: true });
await build({ ...commonjs, entryPoints: ["dist/src/fetch/extract-worker.js"], outfile: worker });

for (const file of [bundle, launcher, worker]) {
  if (/\bimport\(/u.test(readFileSync(file, "latin1"))) throw new Error(`${file} still holds an import(): it would need Node's ES module loader`);
}
const bundleBytes = readFileSync(bundle);
if (bundleBytes.some((byte) => byte > 0x7f)) throw new Error(`${bundle} is not ASCII: the launcher reads it as Latin-1`);
writeFileSync("dist/src/cli/main.bundle.digest", `${createHash("sha256").update(bundleBytes).digest("hex").slice(0, 16)}\n`);
