// Directory repositories: answers, the index cache (warm, stale, corrupt, truncated, foreign,
// concurrent, unwritable, off, replaced or damaged under a reader) and parse errors that are
// reported, never swallowed.
import { describe, expect, it } from "vitest";
import { appendFile, mkdir, open as open_, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { MemoryReporter } from "../core/reporter.js";
import { isUserError } from "../core/errors.js";
import { opamRepo, opamText } from "../../test/helpers/opam-repo.js";
import { testdir } from "../../test/helpers/testdir.js";
import { openDirectory } from "./directory.js";
import { codecFingerprint, factsOfEntry, textOfEntry } from "./codec.js";
import { indexFilePath, loadIndex } from "./index-cache.js";
import type { Repository } from "./repository.js";
import { parseOpam } from "../opam/parser.js";
import { packageFromOpam } from "../opam/package.js";

function base() {
  return opamRepo()
    .pkg("a", "1.0", { depends: ['"b" {>= "1"}'], url: "https://example.com/a-1.0.tgz", devRepo: "git+https://example.com/a.git" })
    .pkg("a", "1.10")
    .pkg("a", "1.9")
    .pkg("a", "2.0~beta1")
    .pkg("a", "1.0+dune")
    .pkg("b", "1")
    .pkg("c-d_e", "0.1")
    .file("packages/.keep_me", "")
    .file("packages/a/a.3/not-opam", "");
}

async function setup() {
  const dir = await testdir();
  const repoDir = await base().writeTo(path.join(dir, "repo"));
  const cacheDir = path.join(dir, "cache");
  const open = async (options: { cache?: boolean } = {}) => {
    const reporter = new MemoryReporter();
    const repo = await openDirectory({ path: repoDir }, { cacheDir, reporter, indexCache: options.cache ?? true });
    await repo.flush();
    return { repo, cold: reporter.lines.find((line) => line.includes("reading every opam file")) };
  };
  return { dir, repoDir, cacheDir, open };
}

/** The bytes the index file holds for a version of `a` (read again on each call). */
function storedEntryOf(cacheDir: string, repoDir: string): (version: string) => Buffer {
  const file = indexFilePath(cacheDir, `directory:${repoDir}`);
  const key = { identity: `directory:${repoDir}`, stamp: "", codec: codecFingerprint() };
  return (version) => {
    const loaded = loadIndex(file, key);
    if (!loaded.ok) throw new Error(loaded.reason);
    return loaded.read(loaded.entries("a")!.find((e) => e[0] === version)!)!;
  };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an exception");
}

function summary(repo: Repository) {
  return Object.fromEntries(repo.packageNames().map((name) => [name, repo.versions(name)]));
}

describe("directory repository", () => {
  it("lists names and versions newest first and reads parsed packages", async () => {
    const { open, repoDir } = await setup();
    const { repo } = await open();
    expect(repo.label).toBe("repo");
    expect(repo.url).toBe(`file://${repoDir}`);
    expect(repo.commit).toBeUndefined();
    expect(summary(repo)).toEqual({ a: ["2.0~beta1", "1.10", "1.9", "1.0+dune", "1.0"], b: ["1"], "c-d_e": ["0.1"] });
    const a = repo.readOpam("a", "1.0")!;
    expect(a).toMatchObject({ name: "a", version: "1.0", file: path.join(repoDir, "packages/a/a.1.0/opam") });
    expect(a.url?.src.raw).toBe("https://example.com/a-1.0.tgz");
    expect(repo.readOpam("a", "1.0")).toBe(a);
    expect(repo.readOpam("a", "7")).toBeUndefined();
    expect(repo.readOpam("zzz", "1")).toBeUndefined();
    expect(repo.versions("zzz")).toEqual([]);
  });

  it("answers the same from the index cache, without reading every file again", async () => {
    const { open } = await setup();
    const first = await open();
    expect(first.cold).toMatch(/missing/);
    const second = await open();
    expect(second.cold).toBeUndefined();
    expect(summary(second.repo)).toEqual(summary(first.repo));
    for (const name of first.repo.packageNames()) {
      for (const version of first.repo.versions(name)) expect(second.repo.readOpam(name, version)).toEqual(first.repo.readOpam(name, version));
    }
  });

  it("reads a name's files on first use only, stores their texts, then the facts of what was parsed; a package read from facts rewrites nothing", async () => {
    const { open, cacheDir, repoDir } = await setup();
    const file = indexFilePath(cacheDir, `directory:${repoDir}`);
    const key = { identity: `directory:${repoDir}`, stamp: "", codec: codecFingerprint() };
    const entryOf = storedEntryOf(cacheDir, repoDir);
    const { repo: cold } = await open();
    // A cold open of a directory reads nothing up front, not even to list the names (as the
    // progress line does); the cache grows from what was asked.
    expect(cold.packageNames()).toEqual(["a", "b", "c-d_e"]);
    await cold.flush();
    expect(loadIndex(file, key).ok).toBe(true);
    expect((loadIndex(file, key) as { entries(name: string): unknown }).entries("a")).toBeUndefined();
    expect(cold.versions("a").length).toBeGreaterThan(0);
    await cold.flush();
    expect(textOfEntry(entryOf("1.0"))?.text).toContain("a-1.0.tgz");
    expect(factsOfEntry(entryOf("1.0"))).toBeUndefined();
    // Parsing a package teaches the cache its facts (once).
    const { repo: second } = await open();
    const parsed = second.readOpam("a", "1.0")!;
    await second.flush();
    expect(textOfEntry(entryOf("1.0"))?.text).toContain("a-1.0.tgz");
    expect(JSON.parse(factsOfEntry(entryOf("1.0"))!.facts)).toMatchObject({ hasBuild: false, depends: { kind: "atom" } });
    expect(factsOfEntry(entryOf("1.9"))).toBeUndefined();
    const written = (await stat(file)).mtimeMs;
    // From facts: no opam text parsed until a field outside them is read; nothing rewritten.
    const { repo: warm } = await open();
    const pkg = warm.readOpam("a", "1.0")!;
    expect(pkg.depends).toEqual(parsed.depends);
    expect(pkg.url?.src.raw).toBe("https://example.com/a-1.0.tgz");
    expect(pkg).toEqual(parsed);
    expect(pkg.fieldPos.get("depends")).toEqual(parsed.fieldPos.get("depends"));
    const defined = (o: object) => Object.entries(o).filter(([, v]) => v !== undefined).map(([k]) => k).sort();
    expect(defined(pkg)).toEqual(defined(parsed));
    await warm.flush();
    expect((await stat(file)).mtimeMs).toBe(written);
    expect(pkg).toEqual(cold.readOpam("a", "1.0"));
  });

  it("keeps the facts of a version read once (readOpamOnce) only when readOpam asks for it too", async () => {
    const { open, cacheDir, repoDir } = await setup();
    const entryOf = storedEntryOf(cacheDir, repoDir);
    const { repo: first } = await open();
    const once = first.readOpamOnce!("a", "1.0")!;
    expect(once.depends).toMatchObject({ kind: "atom" });
    expect(first.readOpam("a", "1.9")).toBeDefined();
    await first.flush();
    expect(factsOfEntry(entryOf("1.0"))).toBeUndefined();
    expect(factsOfEntry(entryOf("1.9"))).toBeDefined();
    // Read once again from its text in a new process: still no facts; asked for by readOpam: kept.
    const { repo: second } = await open();
    expect(second.readOpamOnce!("a", "1.0")).toEqual(once);
    await second.flush();
    expect(factsOfEntry(entryOf("1.0"))).toBeUndefined();
    const { repo: third } = await open();
    expect(third.readOpam("a", "1.0")).toEqual(once);
    await third.flush();
    expect(factsOfEntry(entryOf("1.0"))).toBeDefined();
  });

  it("does not keep a package read once (readOpamOnce) from its text, but keeps one readOpam asks for", async () => {
    const { open } = await setup();
    const { repo } = await open();
    // Parsed again on each call: nothing of it outlives the caller's use (a lock judges thousands).
    const first = repo.readOpamOnce!("a", "1.0")!;
    const again = repo.readOpamOnce!("a", "1.0")!;
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
    // Its facts are wanted: kept until the index is written.
    const wanted = repo.readOpam("a", "1.0")!;
    expect(repo.readOpam("a", "1.0")).toBe(wanted);
    expect(repo.readOpamOnce!("a", "1.0")).toBe(wanted);
  });

  it("a cold readOpam keeps the package as parsed, every field plain (no facts view to parse again), equal to a direct parse", async () => {
    const { open, repoDir } = await setup();
    const file = path.join(repoDir, "packages/a/a.1.0/opam");
    await appendFile(file, 'synopsis: "An a"\ndepexts: [["libgmp-dev"] {os-family = "debian"}]\nx-extra: "kept"\n');
    const direct = packageFromOpam(parseOpam(await readFile(file, "utf8"), file), "a", "1.0");
    const { repo } = await open({ cache: false });
    const cold = repo.readOpam("a", "1.0")!;
    for (const field of ["xFields", "fieldPos", "synopsis", "pinDepends"]) expect(Object.getOwnPropertyDescriptor(cold, field)?.get).toBeUndefined();
    expect(cold).toEqual(direct);
    expect(cold.fieldPos).toEqual(direct.fieldPos);
    expect(cold.xFields.get("x-extra")).toEqual(direct.xFields.get("x-extra"));
    expect(repo.readOpam("a", "1.0")).toBe(cold);
  });

  it("a package from facts parses its text on first use of a lazy field: from the open index file, or from the repository when that entry no longer reads", async () => {
    const { open, cacheDir, repoDir } = await setup();
    const file = indexFilePath(cacheDir, `directory:${repoDir}`);
    const cold = await open();
    const parsed = { a: cold.repo.readOpam("a", "1.0")!, b: cold.repo.readOpam("b", "1")! };
    await cold.repo.flush();
    const { repo: warm } = await open();
    const a = warm.readOpam("a", "1.0")!;
    const b = warm.readOpam("b", "1")!;
    // Another process replaces the index file: this one still reads the file it opened.
    const original = await readFile(file);
    await writeFile(`${file}.other`, Buffer.alloc(original.length, 0x41));
    await rename(`${file}.other`, file);
    expect(a.fieldPos).toEqual(parsed.a.fieldPos);
    expect(a).toEqual(parsed.a);
    expect(b).toEqual(parsed.b);
    // The opened file itself damaged past its table: the entry fails its checksum, and the text
    // comes from the repository's file instead.
    await writeFile(file, original);
    const { repo: later } = await open();
    const fresh = later.readOpam("b", "1")!;
    expect(Object.getOwnPropertyDescriptor(fresh, "synopsis")?.get).toBeDefined();
    const half = Math.floor(original.length / 2);
    const handle = await open_(file, "r+");
    await handle.write(Buffer.alloc(original.length - half, 0x42), 0, original.length - half, half);
    await handle.close();
    expect(fresh.synopsis).toBe(parsed.b.synopsis);
    expect(fresh).toEqual(parsed.b);
  });

  it("never answers from a stale cache: edits, new and removed versions and packages are seen", async () => {
    const { open, repoDir } = await setup();
    await open();
    await appendFile(path.join(repoDir, "packages/b/b.1/opam"), 'tags: ["edited"]\n');
    await mkdir(path.join(repoDir, "packages/b/b.2"));
    await writeFile(path.join(repoDir, "packages/b/b.2/opam"), opamText("b", "2"));
    await rm(path.join(repoDir, "packages/a/a.1.9"), { recursive: true });
    await mkdir(path.join(repoDir, "packages/new/new.1"), { recursive: true });
    await writeFile(path.join(repoDir, "packages/new/new.1/opam"), opamText("new", "1"));
    await rm(path.join(repoDir, "packages/c-d_e"), { recursive: true });
    const { repo, cold } = await open();
    expect(cold).toBeUndefined();
    expect(summary(repo)).toEqual({ a: ["2.0~beta1", "1.10", "1.0+dune", "1.0"], b: ["2", "1"], new: ["1"] });
    expect(repo.readOpam("b", "1")?.tags).toEqual(["edited"]);
    expect(repo.readOpam("a", "1.9")).toBeUndefined();
    const again = await open();
    expect(again.repo.readOpam("b", "1")?.tags).toEqual(["edited"]);
  });

  it("a small tree is listed once per open: a name it lacks costs no lookup, and one added later is seen by the next open", async () => {
    const { open, repoDir } = await setup();
    const { repo } = await open();
    expect(repo.versions("absent")).toEqual([]);
    expect(repo.versions("b")).toEqual(["1"]);
    await mkdir(path.join(repoDir, "packages/late/late.1"), { recursive: true });
    await writeFile(path.join(repoDir, "packages/late/late.1/opam"), opamText("late", "1"));
    expect(repo.versions("late")).toEqual([]);
    expect((await open()).repo.versions("late")).toEqual(["1"]);
  });

  it("a large tree is not listed: a name added after the open is seen on first use", async () => {
    const { open, repoDir } = await setup();
    for (let i = 0; i < 401; i++) await mkdir(path.join(repoDir, "packages", `filler${i}`));
    const { repo } = await open();
    expect(repo.versions("absent")).toEqual([]);
    await mkdir(path.join(repoDir, "packages/late/late.1"), { recursive: true });
    await writeFile(path.join(repoDir, "packages/late/late.1/opam"), opamText("late", "1"));
    expect(repo.versions("late")).toEqual(["1"]);
  });

  it("rebuilds entries whose cached bytes are corrupt, and a truncated or foreign cache file", async () => {
    const { open, cacheDir, repoDir } = await setup();
    const { repo: fresh } = await open();
    const expected = fresh.readOpam("a", "1.0");
    await fresh.flush();
    const file = indexFilePath(cacheDir, `directory:${repoDir}`);
    const bytes = await readFile(file);
    const at = bytes.lastIndexOf("example.com/a-1.0.tgz");
    expect(at).toBeGreaterThan(0);
    bytes[at] = bytes[at]! ^ 0x01;
    await writeFile(file, bytes);
    // The damage is in the opam text: the facts, read alone by their own checksum, still decode.
    const loaded = loadIndex(file, { identity: `directory:${repoDir}`, stamp: "", codec: codecFingerprint() });
    if (!loaded.ok) throw new Error(loaded.reason);
    const stored = loaded.entries("a")!.find((e) => e[0] === "1.0")!;
    expect(factsOfEntry(loaded.readHead(stored)!)?.file).toContain("a.1.0");
    expect(loaded.read(stored)).toBeUndefined();
    const corrupt = await open();
    expect(corrupt.cold).toBeUndefined();
    expect(corrupt.repo.readOpam("a", "1.0")).toEqual(expected);
    await corrupt.repo.flush();
    expect((await readFile(file)).includes("example.com/a-1.0.tgz")).toBe(true);
    await writeFile(file, bytes.subarray(0, bytes.length - 10));
    expect((await open()).cold).toMatch(/truncated/);
    await writeFile(file, "garbage");
    expect((await open()).cold).toMatch(/magic|truncated/);
    const valid = await readFile(file);
    valid.writeUInt32LE(999, 8);
    await writeFile(file, valid);
    expect((await open()).cold).toMatch(/format/);
    const after = await open();
    expect(after.cold).toBeUndefined();
    expect(after.repo.readOpam("a", "1.0")).toEqual(expected);
  });

  it("reports a broken opam file as OPAM_PARSE naming the file, every time, through the cache too", async () => {
    const { open, repoDir } = await setup();
    await mkdir(path.join(repoDir, "packages/bad/bad.1"), { recursive: true });
    await writeFile(path.join(repoDir, "packages/bad/bad.1/opam"), 'opam-version: "2.0"\ndepends: [ "x" {>= } ]\n');
    for (const { repo } of [await open(), await open()]) {
      expect(repo.versions("bad")).toEqual(["1"]);
      const error = thrown(() => repo.readOpam("bad", "1"));
      expect(isUserError(error) && error.code).toBe("OPAM_PARSE");
      expect((error as Error).message).toContain(path.join(repoDir, "packages/bad/bad.1/opam"));
      expect(thrown(() => repo.readOpam("bad", "1"))).toMatchObject({ code: "OPAM_PARSE" });
      expect(repo.readOpam("b", "1")?.name).toBe("b");
    }
  });

  it("works when the cache directory cannot be written", async () => {
    const { dir, repoDir } = await setup();
    const cacheDir = path.join(dir, "not-a-dir");
    await writeFile(cacheDir, "a file where the cache directory should be");
    const reporter = new MemoryReporter();
    const repo = await openDirectory({ path: repoDir }, { cacheDir, reporter });
    await repo.flush();
    expect(repo.versions("b")).toEqual(["1"]);
    expect(reporter.lines.join("\n")).toMatch(/could not write/);
  });

  it("writes nothing when the index cache is off", async () => {
    const { open, cacheDir } = await setup();
    const { cold } = await open({ cache: false });
    expect(cold).toMatch(/disabled/);
    await expect(readdir(cacheDir)).rejects.toThrow();
  });

  it("concurrent cold opens leave a valid cache", async () => {
    const { open } = await setup();
    const results = await Promise.all([open(), open(), open()]);
    expect(new Set(results.map((r) => JSON.stringify(summary(r.repo)))).size).toBe(1);
    const warm = await open();
    expect(warm.cold).toBeUndefined();
    expect(warm.repo.readOpam("a", "1.0")?.devRepo?.raw).toBe("git+https://example.com/a.git");
  });

  it("fails clearly for a missing directory and for a directory that is not a repository", async () => {
    const { dir, cacheDir } = await setup();
    const missing = openDirectory({ path: path.join(dir, "nope") }, { cacheDir });
    await expect(missing).rejects.toMatchObject({ code: "REPO_UNREACHABLE", message: expect.stringContaining(`file://${path.join(dir, "nope")}`) });
    await mkdir(path.join(dir, "empty"));
    const invalid = openDirectory({ path: path.join(dir, "empty"), url: "file:///my/empty" }, { cacheDir });
    await expect(invalid).rejects.toMatchObject({ code: "REPO_INVALID", message: expect.stringContaining("file:///my/empty") });
  });
});
