// Reads a zip file's central directory (names and unix modes) so every entry can be checked
// BEFORE `unzip` runs. Symlink targets live in entry data; extract.ts checks them after unzip,
// inside a private temp directory, before anything is published.
import { open } from "node:fs/promises";
import { UserError } from "../core/errors.js";
import { checkEntryPath, newEntryChecker } from "./entry-check.js";

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;

export interface ZipEntry {
  name: string;
  symlink: boolean;
}

export async function listZipEntries(file: string): Promise<ZipEntry[]> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const tailLength = Math.min(size, 65_557 + 20);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd === -1 || tail.readUInt32LE(eocd) !== EOCD) throw invalid(file, "no end of central directory");
    let count = tail.readUInt16LE(eocd + 10);
    let length = tail.readUInt32LE(eocd + 12);
    let offset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || length === 0xffffffff || offset === 0xffffffff) {
      ({ count, length, offset } = await readZip64(handle, tail, eocd, file));
    }
    const directory = Buffer.alloc(length);
    await handle.read(directory, 0, length, offset);
    return parseCentralDirectory(directory, count, file);
  } finally {
    await handle.close();
  }
}

async function readZip64(handle: import("node:fs/promises").FileHandle, tail: Buffer, eocd: number, file: string): Promise<{ count: number; length: number; offset: number }> {
  const locator = eocd - 20;
  if (locator < 0 || tail.readUInt32LE(locator) !== EOCD64_LOCATOR) throw invalid(file, "corrupt zip64 locator");
  const record = Buffer.alloc(56);
  await handle.read(record, 0, 56, Number(tail.readBigUInt64LE(locator + 8)));
  return { count: Number(record.readBigUInt64LE(32)), length: Number(record.readBigUInt64LE(40)), offset: Number(record.readBigUInt64LE(48)) };
}

function parseCentralDirectory(directory: Buffer, count: number, file: string): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let position = 0;
  for (let index = 0; index < count; index++) {
    if (position + 46 > directory.length || directory.readUInt32LE(position) !== CENTRAL) throw invalid(file, "corrupt central directory");
    const madeBy = directory.readUInt8(position + 5);
    const nameLength = directory.readUInt16LE(position + 28);
    const extraLength = directory.readUInt16LE(position + 30);
    const commentLength = directory.readUInt16LE(position + 32);
    const external = directory.readUInt32LE(position + 38);
    const name = directory.subarray(position + 46, position + 46 + nameLength).toString("utf8");
    const unixMode = madeBy === 3 ? external >>> 16 : 0;
    entries.push({ name, symlink: (unixMode & 0o170000) === 0o120000 });
    position += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Refuse absolute paths, `..` and writes through earlier symlinks (targets are checked after unzip). */
export function checkZipEntries(entries: readonly ZipEntry[], archive: string): void {
  const checker = newEntryChecker(archive);
  for (const entry of entries) {
    const normalised = checkEntryPath(checker, entry.name);
    if (entry.symlink && normalised !== undefined) checker.symlinks.add(normalised);
  }
}

function invalid(file: string, why: string): UserError {
  return new UserError("ARCHIVE_INVALID", `${file}: not a valid zip archive (${why})`);
}
