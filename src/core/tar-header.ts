// The fields of tar header blocks (ustar, GNU, pax), read from bytes without copying: shared by
// the repository snapshot reader (repository/tar.ts) and the extractor (fetch/tar-scan.ts). Pure;
// each caller decides what an invalid field means for it (the extractor is the more lenient).

export const TAR_BLOCK = 512;

const SPACE = 0x20;
const ZERO = 0x30;
/** `ustar\0` at offset 257: the POSIX layout, whose prefix field (345..500) extends the name. */
const POSIX_MAGIC = Buffer.from("ustar\0", "latin1");

/** A NUL-terminated UTF-8 field of at most `length` bytes at `start`. */
export function tarString(block: Buffer, start: number, length: number): string {
  const end = block.indexOf(0, start);
  const stop = end === -1 || end > start + length ? start + length : end;
  return block.toString("utf8", start, stop);
}

/**
 * A numeric field: octal digits between optional leading spaces and trailing spaces or NULs
 * (empty is 0), or GNU base-256 (high bit of the first byte set). Undefined when malformed or
 * beyond a safe integer.
 */
export function tarNumber(block: Buffer, start: number, length: number): number | undefined {
  const end = start + length;
  let value = 0;
  if ((block[start]! & 0x80) !== 0) {
    value = block[start]! & 0x7f;
    for (let i = start + 1; i < end; i++) value = value * 256 + block[i]!;
    return Number.isSafeInteger(value) ? value : undefined;
  }
  let i = start;
  while (i < end && block[i] === SPACE) i++;
  for (; i < end; i++) {
    const digit = block[i]! - ZERO;
    if (digit < 0 || digit > 7) break;
    value = value * 8 + digit;
  }
  for (; i < end; i++) if (block[i] !== 0 && block[i] !== SPACE) return undefined;
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Whether the stored checksum matches the block summed with its own field counted as spaces.
 * `signedToo` also accepts the sum of signed bytes that some old tars wrote (GNU tar does).
 */
export function tarChecksumMatches(block: Buffer, signedToo: boolean): boolean {
  const stored = tarNumber(block, 148, 8);
  if (stored === undefined) return false;
  let sum = 8 * SPACE;
  for (let i = 0; i < 148; i++) sum += block[i]!;
  for (let i = 156; i < TAR_BLOCK; i++) sum += block[i]!;
  if (stored === sum || !signedToo) return stored === sum;
  // Signed bytes: each byte above 127 counts 256 less.
  for (let i = 0; i < TAR_BLOCK; i++) if (block[i]! > 127 && (i < 148 || i >= 156)) sum -= 256;
  return stored === sum;
}

/** The entry's name, with the POSIX prefix field in front when the block has one. */
export function tarEntryName(block: Buffer): string {
  const name = tarString(block, 0, 100);
  const prefix = block.compare(POSIX_MAGIC, 0, 6, 257, 263) === 0 ? tarString(block, 345, 155) : "";
  return prefix === "" ? name : `${prefix}/${name}`;
}

/** The `key=value` records of a pax extended header (`<length> key=value\n` each), in order. */
export function paxRecords(body: Buffer): [key: string, value: string][] {
  const records: [string, string][] = [];
  let offset = 0;
  while (offset < body.length) {
    const space = body.indexOf(SPACE, offset);
    if (space === -1) break;
    const length = parseInt(body.toString("latin1", offset, space), 10);
    if (!(length > 0)) break;
    const record = body.toString("utf8", space + 1, offset + length - 1);
    const equals = record.indexOf("=");
    if (equals !== -1) records.push([record.slice(0, equals), record.slice(equals + 1)]);
    offset += length;
  }
  return records;
}
