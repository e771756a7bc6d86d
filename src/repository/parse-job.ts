// One unit of a full repository parse: read an opam file (with its stamp) or take its text, parse
// it and encode the result. Shared by the in-thread path and the worker threads.
import { closeSync, fstatSync, openSync, readSync, statSync, type BigIntStats } from "node:fs";
import { errnoCode, isUserError, UserError } from "../core/errors.js";
import { parseOpam } from "../opam/parser.js";
import { packageFromOpam } from "../opam/package.js";
import { encodeFailure, encodePackage } from "./codec.js";

/** An opam file to parse: read from `path`, or `texts[textStart, textEnd)` (archives). */
export interface ParseJob {
  name: string;
  version: string;
  /** The name shown in error messages (`<root>/packages/n/n.v/opam`). */
  file: string;
  path?: string;
  textStart?: number;
  textEnd?: number;
}

export interface ParsedEntry {
  /** Per-file stamp for directory files (`statStamp`), "" for texts. */
  stamp: string;
  /** `codec.ts` bytes; undefined when the file vanished between listing and reading. */
  blob: Buffer | undefined;
}

/** What changes when a file is edited or replaced: size, mtime (ns) and inode. */
export function statStamp(stats: BigIntStats): string {
  return `${stats.size}:${stats.mtimeNs}:${stats.ino}`;
}

/** The stamp of `file`, or undefined when it does not exist. */
export function fileStamp(file: string): string | undefined {
  const stats = statSync(file, { bigint: true, throwIfNoEntry: false });
  return stats === undefined || !stats.isFile() ? undefined : statStamp(stats);
}

/** Reads a file and its stamp with one open (4 syscalls); undefined when missing. */
export function readWithStamp(file: string): { text: string; stamp: string } | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR") return undefined;
    throw error;
  }
  try {
    const stats = fstatSync(fd, { bigint: true });
    const buffer = Buffer.allocUnsafe(Number(stats.size));
    let filled = 0;
    while (filled < buffer.length) {
      const n = readSync(fd, buffer, filled, buffer.length - filled, null);
      if (n === 0) break;
      filled += n;
    }
    return { text: buffer.toString("utf8", 0, filled), stamp: statStamp(stats) };
  } finally {
    closeSync(fd);
  }
}

/** Parse + model one opam file; a UserError (bad input) becomes an encoded failure. */
export function encodeOpamText(text: string, file: string, name: string, version: string): Buffer {
  try {
    return encodePackage(packageFromOpam(parseOpam(text, file), name, version));
  } catch (error) {
    if (isUserError(error)) return encodeFailure(error);
    throw error;
  }
}

export function runJob(job: ParseJob, texts: Uint8Array | undefined): ParsedEntry {
  if (job.path !== undefined) {
    let read: { text: string; stamp: string } | undefined;
    try {
      read = readWithStamp(job.path);
    } catch (error) {
      const message = `cannot read ${job.file}: ${(error as Error).message}`;
      return { stamp: "", blob: encodeFailure(new UserError("REPO_INVALID", message)) };
    }
    if (read === undefined) return { stamp: "", blob: undefined };
    return { stamp: read.stamp, blob: encodeOpamText(read.text, job.file, job.name, job.version) };
  }
  const bytes = Buffer.from(texts!.buffer, texts!.byteOffset + job.textStart!, job.textEnd! - job.textStart!);
  return { stamp: "", blob: encodeOpamText(bytes.toString("utf8"), job.file, job.name, job.version) };
}
