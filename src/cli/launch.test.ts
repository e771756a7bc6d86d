// The launcher's code cache: a CommonJS bundle runs the same with no cache, a written cache, or a
// damaged one; V8 takes a cache only for the same source; writes are atomic, per command, and
// never fail a command (an install it cannot write to simply has no cache).
import { describe, expect, it } from "vitest";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { testdir } from "../../test/helpers/testdir.js";
import { cacheDirFor, cacheFileFor, loadBundle } from "./launch.js";

/** A small bundle (a CommonJS wrapper function) with enough functions for V8 to cache, exporting main(). */
function bundleText(marker: string): string {
  const helpers = Array.from({ length: 40 }, (_, i) => `function helper${i}(x) { return x * ${i + 1} + ${JSON.stringify(marker)}.length; }`).join("\n");
  return `(function (exports, require, module, __filename, __dirname) {\n"use strict";\n${helpers}\nexports.main = async (args) => { globalThis.__launchTest = [${JSON.stringify(marker)}, args, helper3(2), require("node:path").basename(__filename)]; };\n})`;
}

async function bundleIn(dir: string, marker = "first"): Promise<string> {
  const file = path.join(dir, "cli", "main.bundle.cjs");
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bundleText(marker));
  return file;
}

/**
 * V8 keeps what one process compiled, by source and file name, and would not even read the cache
 * for a source it compiled before: each run here loads a fresh copy of the bundle, as a new
 * process would (the cache file is named apart from the bundle).
 */
let copies = 0;
async function freshCopy(bundle: string): Promise<string> {
  const copy = path.join(path.dirname(bundle), `copy-${copies++}`, "main.bundle.cjs");
  await mkdir(path.dirname(copy), { recursive: true });
  await writeFile(copy, await readFile(bundle));
  return copy;
}

async function runMain(bundle: string, cacheFile: string, args: string[]) {
  const loaded = loadBundle(await freshCopy(bundle), cacheFile);
  await loaded.exports.main(args);
  return { loaded, result: (globalThis as { __launchTest?: unknown }).__launchTest };
}

describe("launch: the bundle's code cache", () => {
  it("runs without a cache, writes one, then runs from it with the same result", async () => {
    const bundle = await bundleIn(await testdir());
    const cacheFile = cacheFileFor(bundle, ["lock", "-v"], "d1");
    const first = await runMain(bundle, cacheFile, ["lock", "-v"]);
    expect(first.loaded.cache).toBe("absent");
    expect(first.result).toEqual(["first", ["lock", "-v"], 13, "main.bundle.cjs"]);
    first.loaded.saveCache();
    expect((await readFile(cacheFile)).length).toBeGreaterThan(0);
    const second = await runMain(bundle, cacheFile, ["lock", "-v"]);
    expect(second.loaded.cache).toBe("used");
    expect(second.result).toEqual(first.result);
    expect((await readdir(path.dirname(cacheFile))).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("a damaged or truncated cache, or one of another source, is rejected and replaced", async () => {
    const dir = await testdir();
    const bundle = await bundleIn(dir);
    const cacheFile = cacheFileFor(bundle, ["list"], "d1");
    loadBundle(bundle, cacheFile).saveCache();
    const good = await readFile(cacheFile);
    for (const bad of [Buffer.from("not a code cache at all"), good.subarray(0, good.length >> 1), Buffer.alloc(good.length, 0xff)]) {
      await writeFile(cacheFile, bad);
      const run = await runMain(bundle, cacheFile, ["list"]);
      expect(run.loaded.cache).toBe("rejected");
      expect(run.result).toEqual(["first", ["list"], 13, "main.bundle.cjs"]);
      run.loaded.saveCache();
      expect(loadBundle(await freshCopy(bundle), cacheFile).cache).toBe("used");
    }
    // Another source of another length: V8 refuses the old bytecode and the new text runs.
    await writeFile(bundle, bundleText("second bundle"));
    const changed = await runMain(bundle, cacheFile, ["list"]);
    expect(changed.loaded.cache).toBe("rejected");
    expect(changed.result).toEqual(["second bundle", ["list"], 21, "main.bundle.cjs"]);
  });

  it("one file per command word; another digest or runtime replaces that command's file only", async () => {
    const bundle = await bundleIn(await testdir());
    const names = (digest: string, args: string[]) => path.basename(cacheFileFor(bundle, args, digest));
    expect(names("d1", ["lock", "--x"])).toMatch(/^lock-[0-9a-f]{8}\.bin$/u);
    expect(names("d1", ["--help"])).toMatch(/^default-/u);
    expect(names("d1", [])).toMatch(/^default-/u);
    expect(names("d1", ["../../etc"])).toMatch(/^default-/u);
    expect(names("d1", ["lock"])).not.toBe(names("d2", ["lock"]));
    expect(path.dirname(cacheFileFor(bundle, ["lock"], "d1"))).toBe(cacheDirFor(bundle));
    loadBundle(bundle, cacheFileFor(bundle, ["lock"], "d1")).saveCache();
    loadBundle(bundle, cacheFileFor(bundle, ["pull"], "d1")).saveCache();
    loadBundle(bundle, cacheFileFor(bundle, ["lock"], "d2")).saveCache();
    expect((await readdir(cacheDirFor(bundle))).sort()).toEqual([names("d2", ["lock"]), names("d1", ["pull"])].sort());
  });

  it("an install it cannot write to: the command runs, nothing is written, nothing thrown", async () => {
    const dir = await testdir();
    const bundle = await bundleIn(dir);
    // The cache directory's place is taken by a file: mkdir fails as on a read-only install.
    await writeFile(cacheDirFor(bundle), "a file");
    const cacheFile = cacheFileFor(bundle, ["lock"], "d1");
    const run = await runMain(bundle, cacheFile, ["lock"]);
    expect(run.loaded.cache).toBe("absent");
    expect(() => run.loaded.saveCache()).not.toThrow();
    expect(await readFile(cacheDirFor(bundle), "utf8")).toBe("a file");
  });
});
