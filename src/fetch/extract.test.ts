// Extraction of every archive format built by the system tools, top-level stripping, and the
// refusal of hostile archives (nothing may appear outside the destination).
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ALL_FORMATS, SAMPLE_TREE, archiveOf, unsafeTar, unsafeZip, type UnsafeKind } from "../../test/helpers/archives.js";
import { makeGitRepo } from "../../test/helpers/git.js";
import { freshPaths } from "../../test/helpers/testdir.js";
import { isUserError } from "../core/errors.js";
import { detectArchiveKind, extractArchive } from "./extract.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "extract-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const fresh = freshPaths(scratch);

const TREE = SAMPLE_TREE;

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(isUserError(error) ? error.code : error).toBe(code);
}

describe("every format", () => {
  for (const format of ALL_FORMATS) {
    test(`${format}: strips the top directory, keeps symlinks and exec bits`, async () => {
      const archive = archiveOf(TREE, fresh(`a.${format}`), format);
      const content = await extractArchive(archive, fresh("out"), `https://example.org/a.${format}`);
      expect(path.basename(content)).toBe("pkg-1.0");
      expect(readFileSync(path.join(content, "src/lib.ml"), "utf8")).toBe("let x = 1\n");
      expect(statSync(path.join(content, "bin/run.sh")).mode & 0o111).toBe(0o111);
      expect(statSync(path.join(content, "src/lib.ml")).mode & 0o111).toBe(0);
      expect(lstatSync(path.join(content, "link-to-lib")).isSymbolicLink()).toBe(true);
      expect(readlinkSync(path.join(content, "link-to-lib"))).toBe("src/lib.ml");
    });
    test(`${format}: detected from content when the URL has no suffix`, async () => {
      const archive = archiveOf(TREE, fresh("tarball"), format);
      const content = await extractArchive(archive, fresh("out"), "https://github.com/o/r/tarball/v1.0");
      expect(existsSync(path.join(content, "dune-project"))).toBe(true);
    });
  }
});

test("magic bytes win over a misleading name", async () => {
  const archive = archiveOf(TREE, fresh("lies.zip"), "tbz");
  expect(await detectArchiveKind(archive, "lies.zip")).toBe("bzip2");
});

test("top-level files mean no stripping; pax_global_header is ignored", async () => {
  const flat = archiveOf({ "a.ml": "x" }, fresh("flat.tar.gz"), "tar.gz", ".");
  const content = await extractArchive(flat, fresh("out"), "flat.tar.gz");
  expect(readFileSync(path.join(content, "a.ml"), "utf8")).toBe("x");
  const repo = makeGitRepo(fresh("repo"), { "dune-project": "(lang dune 3.0)\n" });
  const gitArchive = fresh("git.tar.gz");
  execFileSync("git", ["-C", repo.dir, "archive", "--format=tar.gz", "--prefix=proj-1.0/", "-o", gitArchive, "HEAD"]);
  const stripped = await extractArchive(gitArchive, fresh("out"), "git.tar.gz");
  expect(path.basename(stripped)).toBe("proj-1.0");
});

test("unknown and corrupt archives are ARCHIVE_INVALID", async () => {
  const text = fresh("notes.txt");
  writeFileSync(text, "hello, not an archive");
  await expectCode(extractArchive(text, fresh("out"), "https://example.org/notes"), "ARCHIVE_INVALID");
  const good = readFileSync(archiveOf(TREE, fresh("good.tbz"), "tbz"));
  const truncated = fresh("truncated.tbz");
  writeFileSync(truncated, good.subarray(0, Math.floor(good.length / 2)));
  await expectCode(extractArchive(truncated, fresh("out"), "truncated.tbz"), "ARCHIVE_INVALID");
  const gz = readFileSync(archiveOf(TREE, fresh("good.tgz"), "tgz"));
  const corrupt = fresh("corrupt.tgz");
  writeFileSync(corrupt, Buffer.concat([gz.subarray(0, 20), Buffer.alloc(200, 7), gz.subarray(220)]));
  await expectCode(extractArchive(corrupt, fresh("out"), "corrupt.tgz"), "ARCHIVE_INVALID");
});

describe("a small .tar.gz is inflated in one call; past 32 MiB inflated it is streamed", () => {
  test("a truncated one names the archive and the gzip error, as the stream does", async () => {
    const gz = readFileSync(archiveOf(TREE, fresh("good.tar.gz"), "tar.gz"));
    const truncated = fresh("truncated.tar.gz");
    writeFileSync(truncated, gz.subarray(0, gz.length - 30));
    const error = await extractArchive(truncated, fresh("out"), "https://example.org/t.tar.gz").then(() => undefined, (caught: unknown) => caught);
    expect(isUserError(error) && error.code).toBe("ARCHIVE_INVALID");
    expect((error as Error).message).toBe("https://example.org/t.tar.gz: corrupt gzip archive: unexpected end of file");
  });

  test("40 MiB of zeros in a 40 KB archive: streamed, extracted whole", async () => {
    const dir = fresh("zeros-src");
    execFileSync("mkdir", ["-p", path.join(dir, "pkg-1.0")]);
    writeFileSync(path.join(dir, "pkg-1.0", "zeros"), Buffer.alloc(40 * 1024 * 1024));
    const archive = fresh("zeros.tar.gz");
    execFileSync("tar", ["-czf", archive, "-C", dir, "pkg-1.0"]);
    expect(statSync(archive).size).toBeLessThan(1024 * 1024);
    const content = await extractArchive(archive, fresh("out"), "zeros.tar.gz");
    expect(statSync(path.join(content, "zeros")).size).toBe(40 * 1024 * 1024);
  });
});

describe("hostile archives are refused and write nothing outside", () => {
  const kinds: UnsafeKind[] = ["dotdot", "absolute", "symlink-escape", "symlink-absolute", "symlink-then-write", "hardlink-escape"];
  for (const kind of kinds) {
    for (const format of ["tar", "tbz", "tar.gz"] as const) {
      test(`${kind} (${format})`, async () => {
        const escapeTo = fresh("escaped");
        const archive = unsafeTar(kind, fresh(`evil.${format}`), format, escapeTo);
        const parent = fresh("parent");
        await expectCode(extractArchive(archive, path.join(parent, "out"), `evil.${format}`).catch((error) => {
          throw error;
        }), "ARCHIVE_UNSAFE");
        expect(existsSync(escapeTo)).toBe(false);
        expect(existsSync(path.join(parent, "evil"))).toBe(false);
      });
    }
  }
  for (const kind of ["dotdot", "absolute", "symlink-escape"] as const) {
    test(`zip ${kind}`, async () => {
      const archive = unsafeZip(kind, fresh(`evil-${kind}.zip`));
      const parent = fresh("parent");
      await expectCode(extractArchive(archive, path.join(parent, "out"), "evil.zip"), "ARCHIVE_UNSAFE");
      expect(existsSync(path.join(parent, "evil"))).toBe(false);
      expect(existsSync("/tmp/xx/evil")).toBe(false);
    });
  }
});

describe("zip, read in-process", () => {
  const big = "let value = 42\n".repeat(2000);
  const zipOf = (options: string[] = []) => {
    const dir = fresh("zip-src");
    const out = fresh("z.zip");
    execFileSync("mkdir", ["-p", path.join(dir, "pkg-1.0")]);
    writeFileSync(path.join(dir, "pkg-1.0", "big.ml"), big);
    writeFileSync(path.join(dir, "pkg-1.0", "small.ml"), "let x = 1\n");
    execFileSync("zip", ["-q", "-r", ...options, out, "pkg-1.0"], { cwd: dir });
    return out;
  };

  test("stored and deflated entries, and zip64 records, give the same files", async () => {
    for (const options of [["-0"], ["-9"], ["-fz"]]) {
      const content = await extractArchive(zipOf(options), fresh("out"), "https://example.org/z.zip");
      expect(readFileSync(path.join(content, "big.ml"), "utf8")).toBe(big);
      expect(readFileSync(path.join(content, "small.ml"), "utf8")).toBe("let x = 1\n");
    }
  });

  test("damaged data fails its CRC check; a damaged directory is refused", async () => {
    const stored = zipOf(["-0"]);
    const bytes = readFileSync(stored);
    const at = bytes.indexOf("let value = 42");
    bytes[at] = bytes[at]! ^ 0x20;
    writeFileSync(stored, bytes);
    await expect(extractArchive(stored, fresh("out"), "z.zip")).rejects.toMatchObject({ code: "ARCHIVE_INVALID", message: expect.stringMatching(/big\.ml fails its CRC check/) });
    const truncated = zipOf();
    writeFileSync(truncated, readFileSync(truncated).subarray(0, 200));
    await expect(extractArchive(truncated, fresh("out"), "z.zip")).rejects.toMatchObject({ code: "ARCHIVE_INVALID" });
  });

  test("a deflated entry that inflates past the size its directory records is refused", async () => {
    const deflated = zipOf(["-9"]);
    const bytes = readFileSync(deflated);
    // The central directory's record of big.ml: its uncompressed size (offset 24) made 100 bytes short.
    const central = bytes.indexOf("pkg-1.0/big.ml", bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))) - 46;
    expect(bytes.readUInt32LE(central)).toBe(0x02014b50);
    bytes.writeUInt32LE(bytes.readUInt32LE(central + 24) - 100, central + 24);
    writeFileSync(deflated, bytes);
    await expect(extractArchive(deflated, fresh("out"), "z.zip")).rejects.toMatchObject({ code: "ARCHIVE_INVALID", message: "z.zip: not a valid zip archive (pkg-1.0/big.ml fails its CRC check (longer than its recorded size))" });
  });

  test("an entry announcing more than 32 MiB is inflated as a stream, whole", async () => {
    const dir = fresh("zip-zeros");
    execFileSync("mkdir", ["-p", path.join(dir, "pkg-1.0")]);
    writeFileSync(path.join(dir, "pkg-1.0", "zeros"), Buffer.alloc(40 * 1024 * 1024));
    const out = fresh("zeros.zip");
    execFileSync("zip", ["-q", "-r", out, "pkg-1.0"], { cwd: dir });
    const content = await extractArchive(out, fresh("out"), "zeros.zip");
    expect(statSync(path.join(content, "zeros")).size).toBe(40 * 1024 * 1024);
  });
});
