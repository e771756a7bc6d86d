// .tar.gz repositories: with and without a top directory, cache reuse and staleness, errors.
import { describe, expect, it } from "vitest";
import { mkdir, readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import * as tar from "tar";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { MemoryReporter } from "../core/reporter.js";
import { opamRepo } from "../../test/helpers/opam-repo.js";
import { testdir } from "../../test/helpers/testdir.js";
import { openArchive } from "./archive.js";

const contents = () =>
  opamRepo()
    .pkg("a", "1", { depends: ['"b"'] })
    .pkg("a", "2")
    .pkg("b", "0.5~rc1")
    .pkg("b", "0.5")
    .pkg("bad", "1", { raw: 'opam-version: "2.0"\nbuild: [ "make" \n' });

async function openWith(file: string, cacheDir: string) {
  const reporter = new MemoryReporter();
  const repo = await openArchive({ path: file }, { cacheDir, reporter });
  await repo.flush();
  return { repo, cold: reporter.lines.find((line) => line.includes("reading every opam file")) };
}

describe("archive repository (.tar.gz)", () => {
  it("reads a repository packed under a top directory, as opam stores repo/<name>.tar.gz", async () => {
    const dir = await testdir();
    const file = await contents().writeTarGz(path.join(dir, "default.tar.gz"), "default");
    const { repo, cold } = await openWith(file, path.join(dir, "cache"));
    expect(cold).toMatch(/missing/);
    expect(repo.label).toBe("default");
    expect(repo.url).toBe(`file://${file}`);
    expect(repo.packageNames()).toEqual(["a", "b", "bad"]);
    expect(repo.versions("b")).toEqual(["0.5", "0.5~rc1"]);
    expect(repo.readOpam("a", "1")?.file).toBe(`${file}/default/packages/a/a.1/opam`);
    expect(() => repo.readOpam("bad", "1")).toThrow(expect.objectContaining({ code: "OPAM_PARSE", message: expect.stringContaining(`${file}/default/packages/bad/bad.1/opam:`) }));
  });

  it("reads a repository packed at the top level (opam's index.tar.gz layout)", async () => {
    const dir = await testdir();
    const file = await contents().writeTarGz(path.join(dir, "index.tar.gz"), "");
    const { repo } = await openWith(file, path.join(dir, "cache"));
    expect(repo.versions("a")).toEqual(["2", "1"]);
    expect(repo.readOpam("a", "2")?.version).toBe("2");
  });

  it("uses the index cache until the archive changes", async () => {
    const dir = await testdir();
    const cacheDir = path.join(dir, "cache");
    const file = await contents().writeTarGz(path.join(dir, "r.tar.gz"));
    const first = await openWith(file, cacheDir);
    const warm = await openWith(file, cacheDir);
    expect(warm.cold).toBeUndefined();
    expect(warm.repo.readOpam("a", "1")).toEqual(first.repo.readOpam("a", "1"));
    // Same size and mtime, other bytes: the ctime still moves, so the cache is not trusted.
    const before = await stat(file);
    const damaged = await readFile(file);
    damaged[damaged.length - 5] = damaged[damaged.length - 5]! ^ 0xff;
    await writeFile(file, damaged);
    await utimes(file, before.atime, before.mtime);
    await expect(openWith(file, cacheDir)).rejects.toMatchObject({ code: "REPO_INVALID" });
    await contents().pkg("a", "3").writeTarGz(file);
    const changed = await openWith(file, cacheDir);
    expect(changed.cold).toMatch(/stale/);
    expect(changed.repo.versions("a")).toEqual(["3", "2", "1"]);
    expect((await readdir(path.join(cacheDir, "index"))).length).toBe(1);
  });

  it("parses a text on first use: a syntax error is thrown then, and again from the cache in later runs", async () => {
    const dir = await testdir();
    const cacheDir = path.join(dir, "cache");
    const file = await contents().writeTarGz(path.join(dir, "r.tar.gz"));
    const parseError = expect.objectContaining({ code: "OPAM_PARSE", message: expect.stringContaining(`${file}/repository/packages/bad/bad.1/opam:3:`) });
    const cold = await openWith(file, cacheDir);
    expect(cold.cold).toBeDefined();
    const warmTexts = await openWith(file, cacheDir);
    expect(() => warmTexts.repo.readOpam("bad", "1")).toThrow(parseError);
    await warmTexts.repo.flush();
    const warmFailure = await openWith(file, cacheDir);
    expect(warmFailure.cold).toBeUndefined();
    expect(() => warmFailure.repo.readOpam("bad", "1")).toThrow(parseError);
    expect(warmFailure.repo.readOpam("b", "0.5")?.version).toBe("0.5");
  });

  it("fails clearly for a missing file, a file that is not a tar.gz, and an archive without packages/", async () => {
    const dir = await testdir();
    const cacheDir = path.join(dir, "cache");
    await expect(openArchive({ path: path.join(dir, "none.tar.gz") }, { cacheDir })).rejects.toMatchObject({ code: "REPO_UNREACHABLE" });
    await writeFile(path.join(dir, "text.tar.gz"), "not an archive");
    await expect(openArchive({ path: path.join(dir, "text.tar.gz") }, { cacheDir })).rejects.toMatchObject({ code: "REPO_INVALID", message: expect.stringContaining("gzip") });
    await writeFile(path.join(dir, "junk.tar.gz"), gzipSync(Buffer.alloc(700, 7)));
    await expect(openArchive({ path: path.join(dir, "junk.tar.gz") }, { cacheDir })).rejects.toMatchObject({ code: "REPO_INVALID" });
    await mkdir(path.join(dir, "other"));
    await writeFile(path.join(dir, "other", "README.md"), "not a repository");
    const other = path.join(dir, "other.tar.gz");
    await tar.c({ gzip: true, file: other, cwd: dir }, ["other"]);
    await expect(openArchive({ path: other, url: "https://x/other.tar.gz" }, { cacheDir })).rejects.toMatchObject({
      code: "REPO_INVALID",
      message: expect.stringContaining("https://x/other.tar.gz"),
    });
    expect((await readFile(other)).length).toBeGreaterThan(0);
  });
});
