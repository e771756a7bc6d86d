// Reads a zip archive's central directory (read through `read`, the directory alone held in
// memory): each entry's name, kind and unix mode, compression method, sizes, CRC and where its
// local header is, zip64 included. zip-extract.ts reads the data. No filesystem access of its own.
import { UserError } from "../core/errors.js";

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const ZIP64_EXTRA = 0x0001;
const UNIX = 3;
const MAX32 = 0xffffffff;
/** The end records are in the last 64 KiB + 22 bytes (the comment is at most 65535 bytes). */
const TAIL = 65_557;
/** Far above any real source archive's directory (~100 bytes an entry). */
const MAX_DIRECTORY = 64 << 20;

/** `length` bytes of the archive from `position` (fewer at its end). */
export type ZipReader = (position: number, length: number) => Buffer;

export interface ZipEntry {
  name: string;
  kind: "file" | "dir" | "symlink";
  /** Permission bits (0o644 when the archive has no unix mode). */
  mode: number;
  method: number;
  encrypted: boolean;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** The error for a damaged zip archive (also used for its entries' data, zip-extract.ts). */
export function invalidZip(file: string, why: string): UserError {
  return new UserError("ARCHIVE_INVALID", `${file}: not a valid zip archive (${why})`);
}

/** Where the central directory is and how many entries it has (from the end records). */
function locateDirectory(read: ZipReader, size: number, file: string): { count: number; length: number; offset: number } {
  const from = Math.max(0, size - TAIL);
  const tail = read(from, size - from);
  const at = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (at < 0 || at + 22 > tail.length || tail.readUInt32LE(at) !== EOCD) throw invalidZip(file, "no end of central directory");
  const count = tail.readUInt16LE(at + 10);
  const length = tail.readUInt32LE(at + 12);
  const offset = tail.readUInt32LE(at + 16);
  if (count !== 0xffff && length !== MAX32 && offset !== MAX32) return { count, length, offset };
  const locator = from + at >= 20 ? read(from + at - 20, 20) : Buffer.alloc(0);
  if (locator.length < 20 || locator.readUInt32LE(0) !== EOCD64_LOCATOR) throw invalidZip(file, "corrupt zip64 locator");
  const record = read(Number(locator.readBigUInt64LE(8)), 56);
  if (record.length < 56) throw invalidZip(file, "corrupt zip64 record");
  return { count: Number(record.readBigUInt64LE(32)), length: Number(record.readBigUInt64LE(40)), offset: Number(record.readBigUInt64LE(48)) };
}

/** Sizes and offset that do not fit 32 bits are in the zip64 extra field, in this order. */
function zip64Fields(extra: Buffer, sizes: { size: number; compressedSize: number; localOffset: number }): void {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === ZIP64_EXTRA) {
      let field = at + 4;
      const next = () => (field + 8 <= at + 4 + length ? Number(extra.readBigUInt64LE((field += 8) - 8)) : MAX32);
      if (sizes.size === MAX32) sizes.size = next();
      if (sizes.compressedSize === MAX32) sizes.compressedSize = next();
      if (sizes.localOffset === MAX32) sizes.localOffset = next();
      return;
    }
    at += 4 + length;
  }
}

function kindAndMode(name: string, madeBy: number, external: number): { kind: ZipEntry["kind"]; mode: number } {
  const unixMode = madeBy === UNIX ? external >>> 16 : 0;
  const type = unixMode & 0o170000;
  if (type === 0o120000) return { kind: "symlink", mode: 0o777 };
  if (type === 0o040000 || name.endsWith("/")) return { kind: "dir", mode: 0o755 };
  return { kind: "file", mode: (unixMode & 0o777) || 0o644 };
}

/** Every entry of the central directory, in order. Throws ARCHIVE_INVALID when damaged. */
export function readZipDirectory(read: ZipReader, size: number, file: string): ZipEntry[] {
  const { count, length, offset } = locateDirectory(read, size, file);
  if (offset + length > size) throw invalidZip(file, "central directory runs past the end");
  if (length > MAX_DIRECTORY) throw invalidZip(file, "central directory over 64 MiB");
  const zip = read(offset, length);
  const entries: ZipEntry[] = [];
  let position = 0;
  for (let index = 0; index < count; index++) {
    if (position + 46 > length || zip.readUInt32LE(position) !== CENTRAL) throw invalidZip(file, "corrupt central directory");
    const nameLength = zip.readUInt16LE(position + 28);
    const extraLength = zip.readUInt16LE(position + 30);
    const name = zip.toString("utf8", position + 46, position + 46 + nameLength);
    const sizes = { compressedSize: zip.readUInt32LE(position + 20), size: zip.readUInt32LE(position + 24), localOffset: zip.readUInt32LE(position + 42) };
    zip64Fields(zip.subarray(position + 46 + nameLength, position + 46 + nameLength + extraLength), sizes);
    entries.push({
      name,
      ...kindAndMode(name, zip.readUInt8(position + 5), zip.readUInt32LE(position + 38)),
      method: zip.readUInt16LE(position + 10),
      encrypted: (zip.readUInt16LE(position + 8) & 1) !== 0,
      crc: zip.readUInt32LE(position + 16),
      ...sizes,
    });
    position += 46 + nameLength + extraLength + zip.readUInt16LE(position + 32);
  }
  return entries;
}
