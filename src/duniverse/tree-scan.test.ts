// The tree scan (stat reuse, an extraction's own records taken as they are, symlinks never
// followed), diffs and their wording, and the manifest's validation of what it reads.
import { execFileSync } from "node:child_process";
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { decodeManifest, encodeManifest, isPinnedSource, sourceRecord } from "./manifest.js";
import { extractTree } from "../fetch/extract.js";
import { describeDiff, diffTrees, scanTree, type TreeEntry } from "./tree-scan.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "tree-scan-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("scanTree", () => {
  test("describes files, directories and symlinks; reuses a digest only while the stat is unchanged", () => {
    const top = path.join(scratch, "a");
    mkdirSync(path.join(top, "src"), { recursive: true });
    writeFileSync(path.join(top, "src/x.ml"), "x\n");
    symlinkSync("/etc/passwd", path.join(top, "link"));
    const first = scanTree(top);
    expect(first.entries.map((entry) => [entry.path, entry.type])).toEqual([["link", "symlink"], ["src", "dir"], ["src/x.ml", "file"]]);
    expect(first.entries[0]!.target).toBe("/etc/passwd");
    expect(first.hashed).toBe(1);
    const previous = new Map(first.entries.map((entry) => [entry.path, entry]));
    expect(scanTree(top, { previous }).hashed).toBe(0);
    expect(scanTree(top, { previous, rehash: true }).hashed).toBe(1);
    utimesSync(path.join(top, "src/x.ml"), new Date(2000, 0, 1), new Date(2000, 0, 1));
    const touched = scanTree(top, { previous });
    expect(touched.hashed).toBe(1);
    expect(diffTrees(first.entries, touched.entries)).toEqual({ modified: [], added: [], removed: [] });
  });

  test("an extraction's records are the entries a full scan finds; a hard link and its target are read", async () => {
    const source = path.join(scratch, "linked", "pkg-1.0");
    mkdirSync(path.join(source, "src"), { recursive: true });
    writeFileSync(path.join(source, "src/a.ml"), "let a = 1\n");
    writeFileSync(path.join(source, "src/b.ml"), "let b = 2\n");
    linkSync(path.join(source, "src/a.ml"), path.join(source, "src/same.ml"));
    symlinkSync("src/b.ml", path.join(source, "b-link"));
    const archive = path.join(scratch, "linked.tar.gz");
    execFileSync("tar", ["-czf", archive, "-C", path.dirname(source), "pkg-1.0"]);
    const { content, files } = await extractTree(archive, path.join(scratch, "linked-out"), "linked.tar.gz");
    expect([...files.keys()].sort()).toEqual(["src/b.ml"]);
    const written = new Map<string, TreeEntry>([...files].map(([name, file]) => [name, { path: name, type: "file", ...file }]));
    const trusted = scanTree(content, { written });
    const full = scanTree(content);
    expect(trusted.entries).toEqual(full.entries);
    expect(JSON.stringify(trusted.entries)).toBe(JSON.stringify(full.entries));
    expect([trusted.hashed, full.hashed]).toEqual([2, 3]);
  });

  test("diffs name modified, added and removed paths", () => {
    const file = (p: string, sha256: string) => ({ path: p, type: "file" as const, mode: 0o644, size: 1, sha256 });
    const diff = diffTrees([file("a", "1"), file("b", "2")], [file("a", "9"), file("c", "3")]);
    expect(diff).toEqual({ modified: ["a"], added: ["c"], removed: ["b"] });
    expect(describeDiff(diff)).toBe("1 file modified locally, 1 added, 1 removed");
    expect(describeDiff({ modified: [], added: ["x", "y"], removed: [] })).toBe("2 files added");
  });
});

describe("manifest", () => {
  test("round-trips, and refuses what it did not write", () => {
    const manifest = { version: 1, repos: { fmt: { source: sourceRecord({ url: "https://x/fmt.tbz", hashes: ["SHA256=AB"] }, false), entries: [] } } };
    expect(decodeManifest(JSON.parse(encodeManifest(manifest)))).toEqual({ kind: "ok", manifest });
    for (const bad of [[], null, { version: 2, repos: {} }, { version: 1, repos: { x: { source: { url: 1 }, entries: [] } } }, { version: 1, repos: { x: { source: { url: "u", hashes: [], keepGitDir: false }, entries: [{ path: "a", type: "fifo", mode: 1 }] } } }]) {
      expect(decodeManifest(bad).kind).toBe("invalid");
    }
  });

  test("only checksummed archives and git commits are pinned", () => {
    expect(isPinnedSource(sourceRecord({ url: "https://x/a.tbz", hashes: ["sha256=ab"] }, false))).toBe(true);
    expect(isPinnedSource(sourceRecord({ url: "https://x/a.tbz", hashes: [] }, false))).toBe(false);
    expect(isPinnedSource(sourceRecord({ url: `git+https://x/a.git#${"a".repeat(40)}`, hashes: [] }, false))).toBe(true);
    expect(isPinnedSource(sourceRecord({ url: "git+https://x/a.git#main", hashes: [] }, false))).toBe(false);
    expect(isPinnedSource(sourceRecord({ url: "file:///src/dir", hashes: [] }, false))).toBe(false);
  });
});
