// Bundles the compiled CLI (dist/src/cli/main.js and everything it imports) into one module,
// dist/src/cli/main.bundle.js, which bin/ loads: resolving and linking ~130 small modules costs
// ~100 ms at every start, one file ~40 ms. undici stays external (loaded only to download).
import { build } from "esbuild";

await build({
  entryPoints: ["dist/src/cli/main.js"],
  outfile: "dist/src/cli/main.bundle.js",
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
