// Starts the CLI bundle (dist/src/cli/main.bundle.cjs) through V8's code cache: the bytecode a
// command compiled is kept per command beside the bundle, so that its next run skips parsing and
// compiling it. The cache lives in the install (as trusted as the code), never in a user cache.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { fnv1a } from "../core/name-hash.js";

/** What the bundle exports. */
export interface CliModule {
  main(args: string[]): Promise<void>;
}

export type CacheUse = "used" | "rejected" | "absent";

export interface LoadedBundle {
  exports: CliModule;
  cache: CacheUse;
  /** Writes the bytecode compiled so far, unless the cache was used as it is; never throws. */
  saveCache(): void;
}

/** The cache file of one command (its first word) for this bundle, Node, platform and flags. */
export function cacheFileFor(bundle: string, args: readonly string[], digest: string): string {
  const word = args[0] !== undefined && /^[a-z][a-z-]{0,31}$/u.test(args[0]) ? args[0] : "default";
  const runtime = fnv1a([digest, process.version, process.arch, process.platform, ...process.execArgv].join("\u0000"));
  return path.join(cacheDirFor(bundle), `${word}-${runtime}.bin`);
}

export function cacheDirFor(bundle: string): string {
  return path.join(path.dirname(bundle), "code-cache");
}

/**
 * Compiles and runs a bundle written as a CommonJS module's wrapper function, `(function (exports,
 * require, module, __filename, __dirname) { … })`, with the code cache in `cacheFile` when it is there and V8
 * accepts it (V8 checks its own version, flags and the source's length).
 */
export function loadBundle(bundle: string, cacheFile: string): LoadedBundle {
  // ASCII (scripts/bundle.mjs checks): Latin-1 reads it as UTF-8 would, without decoding.
  const source = readFileSync(bundle, "latin1");
  const cachedData = readOptional(cacheFile);
  // The bundle is the function CommonJS wraps a module in (scripts/bundle.mjs writes it so), and
  // holds no `import()` (checked there too): no ES module loader is needed.
  const script = new vm.Script(source, { filename: bundle, cachedData });
  const cache: CacheUse = cachedData === undefined ? "absent" : script.cachedDataRejected === true ? "rejected" : "used";
  const module = { exports: {} as CliModule };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
  return { exports: module.exports, cache, saveCache: () => (cache === "used" ? undefined : writeCache(cacheFile, script)) };
}

/** Runs the CLI; a command that exits with 0 leaves its bytecode for the next run. */
export function launch(args: string[]): void {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const bundle = path.join(here, "main.bundle.cjs");
  const digest = readOptional(path.join(here, "main.bundle.digest"))?.toString("utf8").trim() ?? "";
  const loaded = loadBundle(bundle, cacheFileFor(bundle, args, digest));
  process.once("exit", (code) => {
    if (code === 0) loaded.saveCache();
  });
  void loaded.exports.main(args);
}

function readOptional(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Atomic (a temp file renamed), and silent: without a writable install there is no cache. */
function writeCache(cacheFile: string, script: vm.Script): void {
  const temp = `${cacheFile}.${process.pid}.tmp`;
  try {
    const dir = path.dirname(cacheFile);
    mkdirSync(dir, { recursive: true });
    writeFileSync(temp, script.createCachedData());
    renameSync(temp, cacheFile);
    // Files of other Node versions or flags for the same command are replaced, not accumulated.
    const word = path.basename(cacheFile).replace(/-[0-9a-f]+\.bin$/u, "-");
    for (const file of readdirSync(dir)) {
      if (file.startsWith(word) && file.endsWith(".bin") && file !== path.basename(cacheFile)) rmSync(path.join(dir, file), { force: true });
    }
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // Nothing to clean or nothing allowed: either way no cache.
    }
  }
}
