// The parsed-index cache: one file per repository identity holding names → versions → entries,
// with an offset table (index-table.ts) so a warm start reads the table and then only the
// entries it is asked about. A file failing any check (magic, format, length, checksums,
// identity, code fingerprint, content stamp) is never trusted; writes are atomic.
import { createHash, randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { crc32 } from "node:zlib";
import { errnoCode } from "../core/errors.js";
import { decodeTable, encodeTable, type StoredEntry } from "./index-table.js";

export type { StoredEntry } from "./index-table.js";

const MAGIC = "OMREPIDX";
const INDEX_FORMAT_VERSION = 2;
const PRELUDE = 32;

/** What a cache file must match to be used. */
export interface IndexKey {
  /** `directory:/abs/path`, `archive:/abs/file.tar.gz`, `git:<url>`, `http:<url>`. */
  identity: string;
  /** Content stamp: git commit, archive size+mtime+sha256, "" when entries carry stamps. */
  stamp: string;
  /** codecFingerprint(): the code that produced the entries. */
  codec: string;
}

export type IndexRejection = "missing" | "unreadable" | "magic" | "format" | "truncated" | "checksum" | "identity" | "codec" | "stale";

export interface IndexContents {
  ok: true;
  /** Every name, in file order. */
  names: readonly string[];
  /** The stored versions of a name (decoded on each call; undefined for an unknown name). */
  entries(name: string): StoredEntry[] | undefined;
  /** An entry's bytes, or undefined when they fail their checksum or cannot be read. */
  read(entry: StoredEntry): Buffer | undefined;
}

export type LoadedIndex = IndexContents | { ok: false; reason: IndexRejection };

/** A version to write: its bytes (one buffer or consecutive parts). */
export interface EntryToWrite {
  version: string;
  stamp: string;
  blob: Buffer | readonly Buffer[];
}

export function indexFilePath(cacheDir: string, identity: string): string {
  const digest = createHash("sha256").update(identity).digest("hex").slice(0, 32);
  return path.join(cacheDir, "index", `${digest}.idx`);
}

function readAt(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const n = readSync(fd, buffer, filled, length - filled, position + filled);
    if (n === 0) throw new Error("unexpected end of file");
    filled += n;
  }
  return buffer;
}

function checkMeta(meta: IndexKey, key: IndexKey): IndexRejection | undefined {
  if (meta.identity !== key.identity) return "identity";
  if (meta.codec !== key.codec) return "codec";
  if (meta.stamp !== key.stamp) return "stale";
  return undefined;
}

function parseFile(fd: number, key: IndexKey): LoadedIndex {
  const size = fstatSync(fd).size;
  if (size < PRELUDE) return { ok: false, reason: size >= MAGIC.length ? "truncated" : "magic" };
  const prelude = readAt(fd, PRELUDE, 0);
  if (prelude.toString("latin1", 0, 8) !== MAGIC) return { ok: false, reason: "magic" };
  if (prelude.readUInt32LE(8) !== INDEX_FORMAT_VERSION) return { ok: false, reason: "format" };
  const metaLength = prelude.readUInt32LE(12);
  const payloadLength = prelude.readDoubleLE(24);
  if (size !== PRELUDE + metaLength + payloadLength) return { ok: false, reason: "truncated" };
  const metaBytes = readAt(fd, metaLength, PRELUDE);
  if (crc32(metaBytes) !== prelude.readUInt32LE(16)) return { ok: false, reason: "checksum" };
  const table = decodeTable(metaBytes);
  const rejection = checkMeta(table.header, key);
  if (rejection !== undefined) return { ok: false, reason: rejection };
  const base = PRELUDE + metaLength;
  const read = (entry: StoredEntry): Buffer | undefined => {
    try {
      const bytes = readAt(fd, entry[3], base + entry[2]);
      return crc32(bytes) === entry[4] ? bytes : undefined;
    } catch {
      return undefined;
    }
  };
  const positions = new Map(table.names.map((name, i) => [name, i]));
  const entries = (name: string) => {
    const at = positions.get(name);
    return at === undefined ? undefined : table.entries(at);
  };
  return { ok: true, names: table.names, entries, read };
}

/** Opens and checks the index file; the descriptor stays open for lazy reads. */
export function loadIndex(file: string, key: IndexKey): LoadedIndex {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) {
      closeSync(fd);
      return { ok: false, reason: "unreadable" };
    }
  } catch (error) {
    return { ok: false, reason: errnoCode(error) === "ENOENT" ? "missing" : "unreadable" };
  }
  try {
    const loaded = parseFile(fd, key);
    if (!loaded.ok) closeSync(fd);
    return loaded;
  } catch {
    closeSync(fd);
    return { ok: false, reason: "unreadable" };
  }
}

function encodeFile(key: IndexKey, names: ReadonlyMap<string, readonly EntryToWrite[]>): Buffer[] {
  const blobs: Buffer[] = [];
  let offset = 0;
  const table: [string, StoredEntry[]][] = [];
  for (const [name, entries] of names) {
    const stored = entries.map((entry): StoredEntry => {
      const parts = Buffer.isBuffer(entry.blob) ? [entry.blob] : entry.blob;
      let length = 0;
      let crc = 0;
      for (const part of parts) {
        blobs.push(part);
        length += part.length;
        crc = crc32(part, crc);
      }
      const item: StoredEntry = [entry.version, entry.stamp, offset, length, crc];
      offset += length;
      return item;
    });
    table.push([name, stored]);
  }
  const metaBytes = encodeTable({ identity: key.identity, stamp: key.stamp, codec: key.codec }, table);
  const prelude = Buffer.alloc(PRELUDE);
  prelude.write(MAGIC, 0, "latin1");
  prelude.writeUInt32LE(INDEX_FORMAT_VERSION, 8);
  prelude.writeUInt32LE(metaBytes.length, 12);
  prelude.writeUInt32LE(crc32(metaBytes), 16);
  prelude.writeDoubleLE(offset, 24);
  return [prelude, metaBytes, ...blobs];
}

async function writeAll(handle: FileHandle, parts: Buffer[]): Promise<void> {
  for (let i = 0; i < parts.length; i += 512) {
    const group = parts.slice(i, i + 512);
    const total = group.reduce((sum, part) => sum + part.length, 0);
    const { bytesWritten } = await handle.writev(group);
    if (bytesWritten < total) await handle.write(Buffer.concat(group).subarray(bytesWritten));
  }
}

/** Writes the index to a unique temporary file beside `file`, then renames it into place. */
export async function writeIndex(file: string, key: IndexKey, names: ReadonlyMap<string, readonly EntryToWrite[]>): Promise<void> {
  const parts = encodeFile(key, names);
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    const handle = await open(temp, "w");
    try {
      await writeAll(handle, parts);
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
