// The writer's model of what an extraction made (issue 13, items 2 and 7): a hard link to a
// symlink (GNU tar's ustar, gnu and pax formats, every compression) is refused before anything is
// written through it; hard links only to regular files written earlier; no write through a file
// or a replaced link; the per-archive size cap stops an entry that inflates past it, tar and zip;
// what it records of each file written (the last entry of a name wins; links are not files).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { hardLinkToSymlinkTar, type TarFormat } from "../../test/helpers/archives.js";
import { paxHeader, TAR_END, tarData, tarFile, tarHeader } from "../../test/helpers/tar-blocks.js";
import { freshPaths } from "../../test/helpers/testdir.js";
import { isUserError } from "../core/errors.js";
import { extractArchive, extractTree } from "./extract.js";
import { TreeWriter } from "./tree-writer.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "tree-writer-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const fresh = freshPaths(scratch);

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; hint?: string }> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!isUserError(error)) throw new Error(`expected a UserError, got ${String(error)}`);
  return { code: error.code, message: error.message, hint: error.hint };
}

/** Every path below `dir` whose name is `name`. */
function findNamed(dir: string, name: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return [...(entry.name === name ? [full] : []), ...(entry.isDirectory() ? findNamed(full, name) : [])];
  });
}

function tarOf(...parts: Buffer[]): string {
  const file = fresh("hand.tar");
  writeFileSync(file, Buffer.concat([...parts, TAR_END]));
  return file;
}

describe("a hard link to a symlink is refused; nothing is written through it", () => {
  for (const format of ["ustar", "gnu", "pax"] as TarFormat[]) {
    for (const compression of ["tar", "tar.gz", "tbz", "txz"] as const) {
      test(`${format}, ${compression}`, async () => {
        const marker = `escaped-${format}-${compression}`;
        const archive = hardLinkToSymlinkTar(fresh(`attack.${compression}`), format, compression, marker);
        const sentinel = fresh("sentinel");
        // The link points 4 levels above the destination: into the sentinel directory.
        const out = path.join(sentinel, "a", "b", "c", "out");
        const error = await failure(extractArchive(archive, out, `https://example.org/attack.${compression}`));
        expect(error.code).toBe("ARCHIVE_UNSAFE");
        expect(error.message).toContain('https://example.org/attack.');
        expect(error.message).toContain('refusing entry "pkg/h"');
        expect(error.message).toMatch(/hard link to ".*\/s", which is a symlink/);
        expect(findNamed(sentinel, marker)).toEqual([]);
        expect(readdirSync(sentinel)).toEqual(["a"]);
      });
    }
  }
});

describe("hard links, and writes through what an earlier entry made", () => {
  test("a hard link to a regular file written earlier is kept (one inode); a later file of its name does not write through", async () => {
    const out = fresh("out");
    await extractArchive(tarOf(tarFile("p/a", "first"), tarHeader("p/b", "1", 0, "p/a"), tarFile("p/b", "second")), out, "t.tar");
    expect(readFileSync(path.join(out, "p", "a"), "utf8")).toBe("first");
    expect(readFileSync(path.join(out, "p", "b"), "utf8")).toBe("second");
    const linked = fresh("out");
    await extractArchive(tarOf(tarFile("p/a", "first"), tarHeader("p/b", "1", 0, "p/a")), linked, "t.tar");
    expect(statSync(path.join(linked, "p", "b")).ino).toBe(statSync(path.join(linked, "p", "a")).ino);
  });

  test("the files recorded are the regular files as last written and not linked since, below the stripped top directory", async () => {
    const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
    const out = fresh("out");
    const archive = tarOf(tarFile("p/a", "first"), tarFile("p/a", "second"), tarHeader("p/b", "1", 0, "p/a"), tarHeader("p/s", "2", 0, "a"), tarFile("p/d/c", "third"), tarHeader("p/d/c/", "5", 0), tarFile("p/e", "fourth"));
    const { content, files } = await extractTree(archive, out, "t.tar");
    expect(content).toBe(path.join(out, "p"));
    // "a" (written twice) is the target of the hard link "b": linking moved its ctime, so it is
    // not recorded, and the pull's scan reads it like the link.
    expect([...files.keys()].sort()).toEqual(["e"]);
    expect(readFileSync(path.join(content, "a"), "utf8")).toBe("second");
    expect(files.get("e")).toMatchObject({ size: 6, sha256: sha256("fourth"), mtimeMs: statSync(path.join(content, "e")).mtimeMs });
  });

  const refused: [string, Buffer[], RegExp][] = [
    ["to a directory", [tarHeader("p/d/", "5", 0), tarHeader("p/h", "1", 0, "p/d")], /"p\/h": hard link to "p\/d", which is a directory/],
    ["to a later entry", [tarHeader("p/h", "1", 0, "p/a"), tarFile("p/a", "x")], /"p\/h": hard link to "p\/a", which is no file extracted before it/],
    ["to a missing entry", [tarFile("p/a", "x"), tarHeader("p/h", "1", 0, "p/zzz")], /"p\/h": hard link to "p\/zzz"/],
    ["to the archive root", [tarFile("p/a", "x"), tarHeader("p/h", "1", 0, "./")], /"p\/h": hard link to ""/],
    ["a file under a file", [tarFile("p/f", "x"), tarFile("p/f/x", "y")], /"p\/f\/x": it would be written through "p\/f", which is a file/],
  ];
  for (const [name, parts, message] of refused) {
    test(`refused: ${name}`, async () => {
      const error = await failure(extractArchive(tarOf(...parts), fresh("out"), "t.tar"));
      expect(error.code).toBe("ARCHIVE_UNSAFE");
      expect(error.message).toMatch(message);
    });
  }

  test("a file over a directory is a clear ARCHIVE_INVALID", async () => {
    const error = await failure(extractArchive(tarOf(tarHeader("p/d/", "5", 0), tarFile("p/d", "x")), fresh("out"), "t.tar"));
    expect(error).toMatchObject({ code: "ARCHIVE_INVALID", message: expect.stringContaining('"p/d": an earlier entry made it a directory') });
  });
});

describe("pax size must be a decimal count (GNU tar refuses the rest)", () => {
  for (const size of ["-512", "-1", "12abc", "1e3", "0x10", " 5"]) {
    test(`size=${JSON.stringify(size)}`, async () => {
      const archive = tarOf(tarFile("p/a", "kept"), paxHeader({ size }), tarHeader("p/b", "0", 0), tarData("x".repeat(600)));
      const error = await failure(extractArchive(archive, fresh("out"), "t.tar"));
      expect(error).toMatchObject({ code: "ARCHIVE_INVALID", message: `t.tar: malformed pax extended header: invalid size=${JSON.stringify(size)}` });
    });
  }
  test("a valid pax size overrides the header's", async () => {
    const out = fresh("out");
    await extractArchive(tarOf(paxHeader({ size: "5" }), tarHeader("p/a", "0", 0), tarData("hello")), out, "t.tar");
    expect(readFileSync(path.join(out, "p", "a"), "utf8")).toBe("hello");
  });
});

describe("the extracted-size cap", () => {
  const MiB = 1024 * 1024;
  /** A small archive whose one entry inflates to 8 MiB. */
  const bomb = (format: "tar.gz" | "tbz" | "zip") => {
    const dir = fresh("bomb-src");
    mkdirSync(path.join(dir, "pkg"), { recursive: true });
    writeFileSync(path.join(dir, "pkg", "zeros"), Buffer.alloc(8 * MiB));
    const out = fresh(`bomb.${format}`);
    if (format === "zip") execFileSync("zip", ["-q", "-r", out, "pkg"], { cwd: dir });
    else execFileSync("tar", [format === "tbz" ? "-cjf" : "-czf", out, "-C", dir, "pkg"]);
    expect(statSync(out).size).toBeLessThan(64 * 1024);
    return out;
  };
  for (const format of ["tar.gz", "tbz", "zip"] as const) {
    test(`${format}: stops at the limit with ARCHIVE_TOO_LARGE naming the URL, the limit and how to raise it`, async () => {
      const out = fresh("out");
      const error = await failure(extractArchive(bomb(format), out, `https://example.org/bomb.${format}`, { maxBytes: MiB }));
      expect(error.code).toBe("ARCHIVE_TOO_LARGE");
      expect(error.message).toBe(`https://example.org/bomb.${format}: the archive extracts to more than 1M, the limit per archive; extraction stopped`);
      expect(error.hint).toMatch(/--max-extracted-size .*OPAM_MONOREPO_MAX_EXTRACTED_SIZE/);
      const written = path.join(out, "pkg", "zeros");
      expect(existsSync(written) ? statSync(written).size : 0).toBeLessThanOrEqual(MiB);
    });
  }
  test("under the limit, the same archive extracts whole", async () => {
    const out = fresh("out");
    const content = await extractArchive(bomb("zip"), out, "bomb.zip", { maxBytes: 8 * MiB });
    expect(statSync(path.join(content, "zeros")).size).toBe(8 * MiB);
  });
});

describe("the writer joins only normalised entry paths below its root", () => {
  const errorOf = (step: () => void): { code: string; message: string } => {
    try {
      step();
    } catch (error) {
      if (isUserError(error)) return { code: error.code, message: error.message };
      throw error;
    }
    throw new Error("expected a UserError");
  };
  for (const bad of ["../escaped", "a/../../escaped", "/abs", "a//b", "./a", "a/.", "a/"]) {
    test(`${JSON.stringify(bad)} given to it directly is refused, and nothing is written`, () => {
      const sentinel = fresh("sentinel");
      const root = path.join(sentinel, "a", "root");
      mkdirSync(root, { recursive: true });
      const writer = new TreeWriter(root, "hand-made");
      const error = errorOf(() => writer.entry({ kind: "file", path: bad, mode: 0o644 }));
      expect(error.code).toBe("ARCHIVE_UNSAFE");
      expect(error.message).toContain("not a normalised relative path");
      writer.finish();
      expect(findNamed(sentinel, "escaped")).toEqual([]);
      expect(readdirSync(root)).toEqual([]);
    });
  }
  test("nested entries whose parents it made land below the root", () => {
    const root = fresh("root");
    mkdirSync(root);
    const writer = new TreeWriter(root, "hand-made");
    for (const entry of ["p/a/b/one.ml", "p/a/b/two.ml", "p/a/c/three.ml"]) {
      writer.entry({ kind: "file", path: entry, mode: 0o644 });
      writer.data(Buffer.from(entry));
      writer.end();
    }
    writer.finish();
    expect(readFileSync(path.join(root, "p", "a", "c", "three.ml"), "utf8")).toBe("p/a/c/three.ml");
    expect([...writer.files.keys()]).toEqual(["p/a/b/one.ml", "p/a/b/two.ml", "p/a/c/three.ml"]);
  });
});
