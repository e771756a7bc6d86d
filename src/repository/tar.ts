// Reads the regular files of an uncompressed tar image held in memory (ustar, GNU long names,
// pax `path`), returning slices of the image without copying. Never touches the filesystem.
// Strict: any malformed number or checksum (unsigned sums only) makes the image invalid.
import { paxRecords, TAR_BLOCK, tarChecksumMatches, tarEntryName, tarNumber, tarString } from "../core/tar-header.js";

export interface TarFile {
  /** The entry's path as stored, without a leading `./`. */
  path: string;
  /** The file's bytes: a view into the image (no copy). */
  data: Buffer;
}

/** Thrown for a damaged image; callers turn it into a UserError naming the archive. */
export class TarFormatError extends Error {}

function isZeroBlock(image: Buffer, offset: number): boolean {
  for (let i = offset; i < offset + TAR_BLOCK; i++) if (image[i] !== 0) return false;
  return true;
}

/** The last `path` of a pax extended header, if any. */
function paxPath(body: Buffer): string | undefined {
  let found: string | undefined;
  for (const [key, value] of paxRecords(body)) if (key === "path") found = value;
  return found;
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
  while (offset + TAR_BLOCK <= image.length) {
    if (isZeroBlock(image, offset)) return files;
    const header = image.subarray(offset, offset + TAR_BLOCK);
    if (!tarChecksumMatches(header, false)) throw new TarFormatError(`bad header checksum at byte ${offset}`);
    const size = tarNumber(header, 124, 12);
    if (size === undefined) throw new TarFormatError(`bad size field ${JSON.stringify(header.toString("latin1", 124, 136))} at byte ${offset}`);
    const type = String.fromCharCode(header[156]!);
    const dataStart = offset + TAR_BLOCK;
    if (dataStart + size > image.length) throw new TarFormatError(`entry at byte ${offset} runs past the end`);
    const data = image.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
    if (type === "L") longName = tarString(data, 0, data.length);
    else if (type === "x") longName = paxPath(data) ?? longName;
    else {
      if (type === "0" || type === "\0" || type === "7") files.push({ path: cleanPath(longName ?? tarEntryName(header)), data });
      longName = undefined;
    }
  }
  throw new TarFormatError("archive ends without its end-of-archive marker");
}
