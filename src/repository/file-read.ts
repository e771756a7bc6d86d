// Reading opam files of a repository tree with their stamps (size, mtime, inode): what decides
// whether an index-cache entry is still valid. No parsing here (the reader worker loads this).
import { closeSync, constants, fstatSync, openSync, statSync, type BigIntStats } from "node:fs";
import { errnoCode } from "../core/errors.js";
import { readFully } from "../core/read-fully.js";
import { fileKind, notRegular } from "../core/read-input.js";

/** What changes when a file is edited or replaced: size, mtime (ns) and inode. */
export function statStamp(stats: BigIntStats): string {
  return `${stats.size}:${stats.mtimeNs}:${stats.ino}`;
}

/** The stamp of `file`, or undefined when it does not exist ("special" when it is not a regular file: read it to say so). */
export function fileStamp(file: string): string | undefined {
  const stats = statSync(file, { bigint: true, throwIfNoEntry: false });
  return stats === undefined ? undefined : stats.isFile() ? statStamp(stats) : "special";
}

/**
 * Opens `file` (without blocking: a FIFO never holds us) and runs `read` with its descriptor and
 * size; undefined when it does not exist; NOT_A_REGULAR_FILE when it is a directory, FIFO or device.
 */
function withFile<T>(file: string, read: (fd: number, stats: BigIntStats) => T): T | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR") return undefined;
    throw error;
  }
  try {
    const stats = fstatSync(fd, { bigint: true });
    if (!stats.isFile()) throw notRegular(file, fileKind(stats), "an opam file");
    return read(fd, stats);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads `file` into `target` at `offset` with one open (4 syscalls). Undefined when it does not
 * exist; `fits: false` (nothing read) when it is larger than the room left.
 */
export function readFileInto(file: string, target: Buffer, offset: number): { stamp: string; length: number; fits: boolean } | undefined {
  return withFile(file, (fd, stats) => {
    const size = Number(stats.size);
    const fits = offset + size <= target.length;
    return { stamp: statStamp(stats), length: fits ? readFully(fd, target, offset, size) : size, fits };
  });
}

/**
 * Reads a whole file's bytes and its stamp; undefined when missing. The bytes are kept as read (a
 * cold lock holds thousands for the index cache): no decoded copy, no second buffer beside them.
 */
export function readWithStamp(file: string): { bytes: Buffer; stamp: string } | undefined {
  return withFile(file, (fd, stats) => {
    const buffer = Buffer.allocUnsafe(Number(stats.size));
    return { bytes: buffer.subarray(0, readFully(fd, buffer, 0, buffer.length)), stamp: statStamp(stats) };
  });
}
