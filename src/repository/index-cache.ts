// The parsed-index cache: one file per repository identity holding names → versions → entries,
// with an offset table (index-table.ts) so a warm start reads the table and then only the
// entries it is asked about, or only their heads (a facts entry's facts). A file failing any
// check (magic, format, length, checksums, identity, code fingerprint, content stamp) is never
// trusted; writes are atomic.
import { closeSync, constants, fstatSync, openSync } from "node:fs";
import path from "node:path";
import { close, mkdir, open, remove, rename, writeAll } from "../core/async-fs.js";
import { crc32 } from "../core/crc32.js";
import { errnoCode } from "../core/errors.js";
import { siblingTempPath } from "../core/fs.js";
import { nameHash } from "../core/name-hash.js";
import { readFully } from "../core/read-fully.js";
import { decodeTable, encodeTable, type StoredEntry } from "./index-table.js";

export type { StoredEntry } from "./index-table.js";

const MAGIC = "OMREPIDX";
const INDEX_FORMAT_VERSION = 3;
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
  /** An entry's head (EntryToWrite.head) alone; undefined when it has none or it fails its checksum. */
  readHead(entry: StoredEntry): Buffer | undefined;
  /**
   * The heads of a name's entries, read in one go: the function gives an entry's head, checked
   * (undefined when it fails). Its answers are views of one reused buffer, valid until the next
   * readHeads call: decode them or drop them.
   */
  readHeads(name: string): (entry: StoredEntry) => Buffer | undefined;
}

export type LoadedIndex = IndexContents | { ok: false; reason: IndexRejection };

/** A version to write: its bytes (one buffer or consecutive parts). */
export interface EntryToWrite {
  version: string;
  stamp: string;
  blob: Buffer | readonly Buffer[];
  /** The length of a prefix of the bytes (the head) read alone (readHead, readHeads); 0 or absent: none. */
  head?: number;
}

export function indexFilePath(cacheDir: string, identity: string): string {
  // The file holds its identity (checked on load): its name only needs to be stable.
  return path.join(cacheDir, "index", `${nameHash(identity)}.idx`);
}

/** `length` bytes at `position`, read into `into` (a new buffer by default); returns the view of them. */
function readAt(fd: number, length: number, position: number, into: Buffer = Buffer.allocUnsafe(length)): Buffer {
  const buffer = into.subarray(0, length);
  if (readFully(fd, buffer, 0, length, position) < length) throw new Error("unexpected end of file");
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
  const checked = (length: number, offset: number, crc: number): Buffer | undefined => {
    try {
      const bytes = readAt(fd, length, base + offset);
      return crc32(bytes) === crc ? bytes : undefined;
    } catch {
      return undefined;
    }
  };
  const readHead = (entry: StoredEntry) => (entry[6] > 0 ? checked(entry[6], entry[5], entry[7]) : undefined);
  const read = (entry: StoredEntry) => {
    const body = checked(entry[3], entry[2], entry[4]);
    if (entry[6] === 0 || body === undefined) return body;
    const head = readHead(entry);
    return head === undefined ? undefined : Buffer.concat([head, body]);
  };
  const positions = new Map(table.names.map((name, i) => [name, i]));
  const entries = (name: string) => {
    const at = positions.get(name);
    return at === undefined ? undefined : table.entries(at);
  };
  let scratch = Buffer.allocUnsafeSlow(0);
  const intoScratch = (length: number) => {
    if (scratch.length < length) scratch = Buffer.allocUnsafeSlow(Math.max(length, 2 * scratch.length, 65536));
    return scratch;
  };
  const readHeads = (name: string) =>
    headsOf(entries(name) ?? [], payloadLength, readHead, (length, offset) => readAt(fd, length, base + offset, intoScratch(length)));
  return { ok: true, names: table.names, entries, read, readHead, readHeads };
}

/**
 * The heads of `list`, each checked against its crc32 when asked for (a lock decodes only some of
 * a name's versions): one read of their span when they sit side by side (as written), else one
 * read each; a span past the payload is never read.
 */
function headsOf(
  list: readonly StoredEntry[],
  payloadLength: number,
  readHead: (entry: StoredEntry) => Buffer | undefined,
  readSpan: (length: number, offset: number) => Buffer,
): (entry: StoredEntry) => Buffer | undefined {
  const withHead = list.filter((entry) => entry[6] > 0);
  if (withHead.length === 0) return () => undefined;
  const start = Math.min(...withHead.map((entry) => entry[5]));
  const end = Math.max(...withHead.map((entry) => entry[5] + entry[6]));
  const total = withHead.reduce((sum, entry) => sum + entry[6], 0);
  let span: Buffer | undefined;
  try {
    span = end <= payloadLength && end - start === total ? readSpan(end - start, start) : undefined;
  } catch {
    span = undefined;
  }
  if (span === undefined) return readHead;
  const bytes = span;
  return (entry) => {
    if (entry[6] === 0 || entry[5] < start || entry[5] + entry[6] > end) return undefined;
    const head = bytes.subarray(entry[5] - start, entry[5] - start + entry[6]);
    return crc32(head) === entry[7] ? head : undefined;
  };
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

/** `parts` cut after their first `head` bytes (views, no copies). */
function cut(parts: readonly Buffer[], head: number): [Buffer[], Buffer[]] {
  const before: Buffer[] = [];
  const after: Buffer[] = [];
  let left = head;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (left >= part.length) before.push(part);
    else if (left === 0) after.push(part);
    else {
      before.push(part.subarray(0, left));
      after.push(part.subarray(left));
    }
    left = Math.max(0, left - part.length);
  }
  return [before, after];
}

function encodeFile(key: IndexKey, names: ReadonlyMap<string, readonly EntryToWrite[]>): Buffer[] {
  const blobs: Buffer[] = [];
  let offset = 0;
  const append = (parts: readonly Buffer[]): [number, number, number] => {
    const at = offset;
    let crc = 0;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      blobs.push(part);
      offset += part.length;
      crc = crc32(part, crc);
    }
    return [at, offset - at, crc];
  };
  const table: [string, StoredEntry[]][] = [];
  for (const [name, entries] of names) {
    const split = entries.map((entry) => cut(Buffer.isBuffer(entry.blob) ? [entry.blob] : entry.blob, entry.head ?? 0));
    const heads = split.map(([head]) => append(head));
    const bodies = split.map(([, body]) => append(body));
    table.push([name, entries.map((entry, i): StoredEntry => {
      const body = bodies[i]!;
      const head = heads[i]!;
      // Indexed, not spread: a first lock writes thousands of entries before this is optimised.
      return [entry.version, entry.stamp, body[0], body[1], body[2], head[0], head[1], head[2]];
    })]);
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

/** Writes the index to a unique temporary file beside `file`, then renames it into place. */
export async function writeIndex(file: string, key: IndexKey, names: ReadonlyMap<string, readonly EntryToWrite[]>): Promise<void> {
  const parts = encodeFile(key, names);
  await mkdir(path.dirname(file));
  const temp = siblingTempPath(file);
  try {
    const fd = await open(temp, "w");
    try {
      await writeAll(fd, parts);
    } finally {
      await close(fd);
    }
    await rename(temp, file);
  } catch (error) {
    await remove(temp);
    throw error;
  }
}
