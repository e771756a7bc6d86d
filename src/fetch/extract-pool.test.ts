// Extraction on worker threads (extract-pool.ts with the compiled worker that `npm test` builds
// first): the same trees as in-thread extraction, each file's stat and digest recorded as it
// landed, errors that keep their code across the thread, many archives at once on two threads, a
// thread that dies rejects instead of hanging, and the real snapshots extracted file for file.
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { ALL_FORMATS, SAMPLE_TREE, archiveOf, unsafeTar, unsafeZip } from "../../test/helpers/archives.js";
import { readSnapshotEntries, snapshotArchive, SNAPSHOT_NAMES } from "../../test/helpers/real-data.js";
import { freshPaths } from "../../test/helpers/testdir.js";
import { isUserError } from "../core/errors.js";
import { createExtractor } from "./extract-pool.js";
import { extractArchive, type Extraction } from "./extract.js";

const WORKER = new URL("../../dist/src/fetch/extract-worker.bundle.cjs", import.meta.url);
if (!existsSync(fileURLToPath(WORKER))) throw new Error(`${fileURLToPath(WORKER)} is missing: run \`npm run build\` first (npm test does)`);

const scratch = mkdtempSync(path.join(os.tmpdir(), "extract-pool-test-"));
// Deleting the extracted snapshots (~100k files) takes minutes on a loaded, journal-less ext4.
afterAll(() => rmSync(scratch, { recursive: true, force: true }), 600_000);
const fresh = freshPaths(scratch);

const TREE = SAMPLE_TREE;

/** Every path below `dir` with what it is: file content and exec bit, symlink target, or dir. */
function describeTree(dir: string, prefix = ""): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const full = path.join(dir, name);
    const info = lstatSync(full);
    const shown = `${prefix}${name}`;
    if (info.isSymbolicLink()) return [`${shown} -> ${readlinkSync(full)}`];
    if (info.isDirectory()) return [`${shown}/`, ...describeTree(full, `${shown}/`)];
    return [`${shown} ${statSync(full).mode & 0o111 ? "x" : "-"} ${readFileSync(full, "utf8")}`];
  });
}

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!isUserError(error)) throw new Error(`expected a UserError, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

describe("on a worker thread", () => {
  for (const format of ALL_FORMATS) {
    test(`${format}: the same tree as extracting in this thread`, async () => {
      const archive = archiveOf(TREE, fresh(`a.${format}`), format);
      const extractor = createExtractor(1, WORKER);
      try {
        const { content, files } = await extractor.extract(archive, fresh("out"), `https://example.org/a.${format}`);
        expect(path.basename(content)).toBe("pkg-1.0");
        expect(describeTree(content)).toEqual(describeTree(await extractArchive(archive, fresh("out"), "here")));
        expectFilesRecorded(content, files);
      } finally {
        await extractor.close();
      }
    });
  }

  test("an unsafe or corrupt archive rejects with its code and the URL", async () => {
    const extractor = createExtractor(1, WORKER);
    try {
      const zip = await errorOf(extractor.extract(unsafeZip("dotdot", fresh("evil.zip")), fresh("out"), "https://example.org/evil.zip"));
      expect(zip).toMatchObject({ code: "ARCHIVE_UNSAFE", message: expect.stringContaining("https://example.org/evil.zip") });
      const tar = await errorOf(extractor.extract(unsafeTar("symlink-then-write", fresh("evil.tgz"), "tgz"), fresh("out"), "evil.tgz"));
      expect(tar.code).toBe("ARCHIVE_UNSAFE");
      const damaged = fresh("damaged.tgz");
      writeFileSync(damaged, readFileSync(archiveOf(TREE, fresh("c.tgz"), "tgz")).subarray(0, 40));
      expect((await errorOf(extractor.extract(damaged, fresh("out"), "damaged.tgz"))).code).toBe("ARCHIVE_INVALID");
    } finally {
      await extractor.close();
    }
  });

  test("bzip2 and xz: a corrupt stream names the decoder's failure, an unsafe entry is refused, and the decoders still serve", async () => {
    const extractor = createExtractor(1, WORKER);
    try {
      const good = readFileSync(archiveOf(TREE, fresh("c.tbz"), "tbz"));
      const corrupt = fresh("corrupt.tbz");
      writeFileSync(corrupt, Buffer.concat([good.subarray(0, 60), Buffer.alloc(200, 0x55), good.subarray(260)]));
      expect(await errorOf(extractor.extract(corrupt, fresh("out"), "corrupt.tbz"))).toMatchObject({ code: "ARCHIVE_INVALID", message: expect.stringMatching(/corrupt\.tbz|bzip2/) });
      const unsafe = await errorOf(extractor.extract(unsafeTar("dotdot", fresh("evil.txz"), "txz"), fresh("out"), "evil.txz"));
      expect(unsafe).toMatchObject({ code: "ARCHIVE_UNSAFE", message: expect.stringContaining("evil.txz") });
      for (const format of ["tbz", "txz", "tbz"] as const) {
        const { content } = await extractor.extract(archiveOf(TREE, fresh(`again.${format}`), format), fresh("out"), `again.${format}`);
        expect(readFileSync(path.join(content, "src/lib.ml"), "utf8")).toBe("let x = 1\n");
      }
    } finally {
      await extractor.close();
    }
  });

  test("forty archives at once on two threads all land whole; close waits for them", async () => {
    const extractor = createExtractor(2, WORKER);
    const formats = ["tgz", "zip", "tar", "tbz"] as const;
    const jobs = Array.from({ length: 40 }, (_, index) => {
      const tree = { ...TREE, [`src/m${index}.ml`]: `let n = ${index}\n` };
      return { index, archive: archiveOf(tree, fresh(`p.${formats[index % 4]}`), formats[index % 4]) };
    });
    const contents = await Promise.all(jobs.map(({ archive }) => extractor.extract(archive, fresh("out"), archive)));
    await extractor.close();
    contents.forEach(({ content }, index) => expect(readFileSync(path.join(content, `src/m${index}.ml`), "utf8")).toBe(`let n = ${index}\n`));
  });

  test("a thread that dies rejects its extractions instead of leaving them waiting", async () => {
    const dying = new URL("data:text/javascript,process.exit(3)");
    const extractor = createExtractor(1, dying);
    const archive = archiveOf(TREE, fresh("a.tgz"), "tgz");
    await expect(extractor.extract(archive, fresh("out"), "a.tgz")).rejects.toThrow(/extraction thread stopped/);
    await extractor.close();
  });
});

/** Every regular file below `content` is recorded with its stat and the sha256 of its bytes, and nothing else is. */
function expectFilesRecorded(content: string, files: Extraction["files"]): void {
  const regular = describeTree(content).filter((line) => !line.endsWith("/") && !line.includes(" -> ")).map((line) => line.slice(0, line.indexOf(" ")));
  expect([...files.keys()].sort()).toEqual(regular.sort());
  for (const name of regular) {
    const info = lstatSync(path.join(content, name));
    const sha256 = createHash("sha256").update(readFileSync(path.join(content, name))).digest("hex");
    expect(files.get(name), name).toEqual({ mode: info.mode & 0o7777, size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, sha256 });
  }
}

const snapshots = SNAPSHOT_NAMES.map((name) => ({ name, archive: snapshotArchive(name) }));
const snapshotsPresent = snapshots.every((snapshot) => snapshot.archive !== undefined);
if (!snapshotsPresent) console.log("extract-pool real-data test skipped: ../shared/data snapshots are absent");

describe.skipIf(!snapshotsPresent)("the real snapshots on a worker thread", () => {
  test("every regular file of the three .tar.gz snapshots lands with its exact bytes and digest, and nothing else", async () => {
    const extractor = createExtractor(1, WORKER);
    try {
      for (const { name, archive } of snapshots) {
        const { content, files } = await extractor.extract(archive!, fresh(name), `${name}.tar.gz`);
        const expected = readSnapshotEntries(name);
        expect(expected.length).toBeGreaterThan(0);
        const written = filesBelow(content);
        expect(written.size).toBe(expected.length);
        for (const entry of expected) expect(written.get(entry.path)?.equals(entry.data), entry.path).toBe(true);
        // The digests the thread recorded are those of the bytes the independent reader sees.
        expect(files.size).toBe(expected.length);
        for (const entry of expected) expect(files.get(entry.path)?.sha256, entry.path).toBe(createHash("sha256").update(entry.data).digest("hex"));
      }
    } finally {
      await extractor.close();
    }
  }, 120_000);
});

/** Every regular file below `dir`, by relative path. */
function filesBelow(dir: string, prefix = "", out = new Map<string, Buffer>()): Map<string, Buffer> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const relative = `${prefix}${entry.name}`;
    if (entry.isDirectory()) filesBelow(path.join(dir, entry.name), `${relative}/`, out);
    else if (entry.isFile()) out.set(relative, readFileSync(path.join(dir, entry.name)));
  }
  return out;
}
