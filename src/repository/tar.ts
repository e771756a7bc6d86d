// Reads the regular files of an uncompressed tar image held in memory (ustar, GNU long names,
// pax `path`), returning slices of the image without copying. Never touches the filesystem.

export interface TarFile {
  /** The entry's path as stored, without a leading `./`. */
  path: string;
  /** The file's bytes: a view into the image (no copy). */
  data: Buffer;
}

const BLOCK = 512;

/** Thrown for a damaged image; callers turn it into a UserError naming the archive. */
export class TarFormatError extends Error {}

function readString(block: Buffer, start: number, length: number): string {
  const end = block.indexOf(0, start);
  const stop = end === -1 || end > start + length ? start + length : end;
  return block.toString("utf8", start, stop);
}

const SPACE = 0x20;
const ZERO = 0x30;

/** A numeric field: octal digits between optional spaces and NULs, or base-256 (high bit set). */
function readOctal(block: Buffer, start: number, length: number): number {
  const end = start + length;
  if ((block[start]! & 0x80) !== 0) {
    let value = 0;
    for (let i = start + 1; i < end; i++) value = value * 256 + block[i]!;
    return value;
  }
  let i = start;
  while (i < end && block[i] === SPACE) i++;
  let value = 0;
  for (; i < end; i++) {
    const digit = block[i]! - ZERO;
    if (digit < 0 || digit > 7) break;
    value = value * 8 + digit;
  }
  for (; i < end; i++) {
    if (block[i] !== 0 && block[i] !== SPACE) {
      throw new TarFormatError(`bad octal field ${JSON.stringify(block.toString("latin1", start, end))}`);
    }
  }
  return value;
}

/** The header checksum: every byte summed, the checksum field itself counted as spaces. */
function checksumOk(block: Buffer): boolean {
  const stored = readOctal(block, 148, 8);
  let sum = 8 * SPACE;
  for (let i = 0; i < 148; i++) sum += block[i]!;
  for (let i = 156; i < BLOCK; i++) sum += block[i]!;
  return sum === stored;
}

function isZeroBlock(image: Buffer, offset: number): boolean {
  for (let i = offset; i < offset + BLOCK; i++) if (image[i] !== 0) return false;
  return true;
}

/** `path` from a pax extended header body (`<len> key=value\n` records). */
function paxPath(body: Buffer): string | undefined {
  let offset = 0;
  let found: string | undefined;
  while (offset < body.length) {
    const space = body.indexOf(0x20, offset);
    if (space === -1) break;
    const length = parseInt(body.toString("latin1", offset, space), 10);
    if (!(length > 0)) break;
    const record = body.toString("utf8", space + 1, offset + length - 1);
    const equals = record.indexOf("=");
    if (equals !== -1 && record.slice(0, equals) === "path") found = record.slice(equals + 1);
    offset += length;
  }
  return found;
}

/** `ustar\0` at offset 257: the POSIX layout, whose prefix field extends the name. */
const USTAR = Buffer.from("ustar\0", "latin1");

function entryName(block: Buffer): string {
  const name = readString(block, 0, 100);
  const prefix = block.compare(USTAR, 0, 6, 257, 263) === 0 ? readString(block, 345, 155) : "";
  return prefix === "" ? name : `${prefix}/${name}`;
}

function cleanPath(raw: string): string {
  let result = raw;
  while (result.startsWith("./")) result = result.slice(2);
  return result;
}

/** Every regular file of `image`, in archive order. Throws TarFormatError when damaged. */
export function readTarFiles(image: Buffer): TarFile[] {
  const files: TarFile[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= image.length) {
    if (isZeroBlock(image, offset)) return files;
    const header = image.subarray(offset, offset + BLOCK);
    if (!checksumOk(header)) throw new TarFormatError(`bad header checksum at byte ${offset}`);
    const size = readOctal(header, 124, 12);
    const type = String.fromCharCode(header[156]!);
    const dataStart = offset + BLOCK;
    if (dataStart + size > image.length) throw new TarFormatError(`entry at byte ${offset} runs past the end`);
    const data = image.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "L") longName = readString(data, 0, data.length);
    else if (type === "x") longName = paxPath(data) ?? longName;
    else {
      if (type === "0" || type === "\0" || type === "7") files.push({ path: cleanPath(longName ?? entryName(header)), data });
      longName = undefined;
    }
  }
  throw new TarFormatError("archive ends without its end-of-archive marker");
}
