// Bundles the compiled CLI (dist/src/cli/main.js and everything it imports) into
// dist/src/cli/main.bundle.js, which bin/ loads, and one chunk per command module (each command is
// imported when it runs: `--version` loads no solver): resolving and linking ~130 small modules
// costs ~100 ms at every start, a few files ~40 ms. undici stays external (loaded only to
// download). The chunks sit beside the bundle (`bundle-*.js`): modules find their workers and
// package.json relative to dist/src/cli/.
import { build } from "esbuild";
import { readdirSync, rmSync } from "node:fs";

for (const file of readdirSync("dist/src/cli")) if (file.startsWith("bundle-") && file.endsWith(".js")) rmSync(`dist/src/cli/${file}`);

await build({
  entryPoints: ["dist/src/cli/main.js"],
  outdir: "dist/src/cli",
  entryNames: "[name].bundle",
  chunkNames: "bundle-[name]-[hash]",
  splitting: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["undici"],
  // commander is CommonJS: its require() of node built-ins needs a real require in an ES module.
  banner: { js: 'import { createRequire as __bundleRequire } from "node:module";\nconst require = __bundleRequire(import.meta.url);' },
  logLevel: "warning",
});

// The extraction worker (src/fetch/extract-worker.ts), bundled beside its module the same way.
await build({
  entryPoints: ["dist/src/fetch/extract-worker.js"],
  outfile: "dist/src/fetch/extract-worker.bundle.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "warning",
});
