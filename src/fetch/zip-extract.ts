// Extracts a zip archive in-process: entries come from the central directory (zip-scan.ts),
// stored or deflated data is streamed in chunks to the TreeWriter (a small entry, at most 1 MiB
// deflated and 32 MiB announced, is inflated whole), checked against its size and CRC, after the
// same path rules as tar entries.
// No `unzip` process: starting one costs a pull ~20 ms per archive.
import { closeSync, createReadStream, fstatSync, openSync } from "node:fs";
import { readFully } from "../core/read-fully.js";
import { crc32, createInflateRaw, inflateRawSync } from "node:zlib";
import { checkEntryPath, checkLinkTarget, newEntryChecker, type EntryChecker } from "./entry-check.js";
import type { TreeWriter } from "./tree-writer.js";
import { invalidZip, readZipDirectory, type ZipEntry, type ZipReader } from "./zip-scan.js";
import { SMALL_COMPRESSED, SMALL_INFLATED } from "./inflate-whole.js";

const LOCAL = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;
const CHUNK = 1 << 20;
/** A symlink's target is read whole: never more than a path can be. */
const MAX_LINK = 4096;

/** The archive being read: its file, the label naming it in errors, its size and reader. */
interface Zip {
  file: string;
  label: string;
  size: number;
  read: ZipReader;
}

/** Reads of the archive through one descriptor; out-of-range reads give fewer bytes. */
function readerOf(fd: number, size: number): ZipReader {
  return (position, length) => {
    if (!(position >= 0) || position >= size) return Buffer.alloc(0);
    const buffer = Buffer.alloc(Math.min(length, size - position));
    return buffer.subarray(0, readFully(fd, buffer, 0, buffer.length, position));
  };
}

/** Where the entry's data starts, from its local header. */
function dataStart(zip: Zip, entry: ZipEntry): number {
  const local = zip.read(entry.localOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL) throw invalidZip(zip.label, `bad local header for ${entry.name}`);
  return entry.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
}

/** The entry's raw bytes, in chunks (stored: read directly; deflated: inflated as a stream). */
async function* rawChunks(zip: Zip, entry: ZipEntry, start: number): AsyncGenerator<Buffer> {
  if (entry.method === STORED) {
    for (let at = 0; at < entry.compressedSize; at += CHUNK) yield zip.read(start + at, Math.min(CHUNK, entry.compressedSize - at));
    return;
  }
  if (entry.method !== DEFLATED) throw invalidZip(zip.label, `${entry.name} uses compression method ${entry.method}, which is not supported`);
  if (entry.compressedSize === 0) return;
  if (entry.compressedSize <= SMALL_COMPRESSED && entry.size <= SMALL_INFLATED) {
    yield inflateSmall(zip, entry, start);
    return;
  }
  const source = createReadStream(zip.file, { start, end: start + entry.compressedSize - 1, highWaterMark: CHUNK });
  const inflate = createInflateRaw({ chunkSize: 1 << 18 });
  source.on("error", (error) => inflate.destroy(error));
  try {
    yield* source.pipe(inflate) as AsyncIterable<Buffer>;
  } catch (error) {
    throw invalidZip(zip.label, `${entry.name}: ${(error as Error).message}`);
  } finally {
    source.destroy();
    inflate.destroy();
  }
}

/**
 * A small deflated entry inflated in one call (a stream pair per entry costs more than most
 * entries' data), never to more than the size the directory announces (+1, so that a longer
 * one is seen by the size check).
 */
function inflateSmall(zip: Zip, entry: ZipEntry, start: number): Buffer {
  const compressed = zip.read(start, entry.compressedSize);
  try {
    return inflateRawSync(compressed, { maxOutputLength: entry.size + 1 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw invalidZip(zip.label, `${entry.name} fails its CRC check (longer than its recorded size)`);
    throw invalidZip(zip.label, `${entry.name}: ${(error as Error).message}`);
  }
}

/**
 * Pass the entry's data to `onChunk`, checking it as it goes: never more than the directory
 * announces (a lying entry cannot inflate without bound), then the exact size and the CRC.
 */
async function streamEntry(zip: Zip, entry: ZipEntry, onChunk: (chunk: Buffer) => void): Promise<void> {
  const start = dataStart(zip, entry);
  if (entry.encrypted) throw invalidZip(zip.label, `${entry.name} is encrypted`);
  if (start + entry.compressedSize > zip.size) throw invalidZip(zip.label, `${entry.name} runs past the end`);
  let size = 0;
  let crc = 0;
  for await (const chunk of rawChunks(zip, entry, start)) {
    size += chunk.length;
    if (size > entry.size) throw invalidZip(zip.label, `${entry.name} fails its CRC check (longer than its recorded size)`);
    crc = crc32(chunk, crc);
    onChunk(chunk);
  }
  if (size !== entry.size || crc !== entry.crc) throw invalidZip(zip.label, `${entry.name} fails its CRC check`);
}

async function symlinkTarget(zip: Zip, entry: ZipEntry): Promise<string> {
  if (entry.size > MAX_LINK) throw invalidZip(zip.label, `${entry.name}: a symlink target of ${entry.size} bytes`);
  const chunks: Buffer[] = [];
  await streamEntry(zip, entry, (chunk) => chunks.push(Buffer.from(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}

/** Check one entry against the path rules and write it. */
async function extractEntry(zip: Zip, entry: ZipEntry, checker: EntryChecker, writer: TreeWriter): Promise<void> {
  const normalised = checkEntryPath(checker, entry.name);
  if (entry.kind === "symlink") {
    const target = await symlinkTarget(zip, entry);
    checkLinkTarget(checker, entry.name, target, "symlink");
    if (normalised !== undefined) writer.entry({ kind: "symlink", path: normalised, target });
    return;
  }
  if (normalised === undefined) return;
  if (entry.kind === "dir") return writer.entry({ kind: "dir", path: normalised });
  writer.entry({ kind: "file", path: normalised, mode: entry.mode });
  await streamEntry(zip, entry, (chunk) => writer.data(chunk));
  writer.end();
}

/** Extracts `archive` into `writer`'s directory; returns whether it held symlinks. */
export async function extractZipInto(archive: string, writer: TreeWriter, label: string): Promise<boolean> {
  const fd = openSync(archive, "r");
  try {
    const size = fstatSync(fd).size;
    const zip: Zip = { file: archive, label, size, read: readerOf(fd, size) };
    const entries = readZipDirectory(zip.read, size, label);
    const checker = newEntryChecker(label);
    for (const entry of entries) await extractEntry(zip, entry, checker, writer);
    return entries.some((entry) => entry.kind === "symlink");
  } finally {
    closeSync(fd);
  }
}
