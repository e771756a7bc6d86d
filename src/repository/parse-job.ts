// One unit of a full repository parse: every version of one package read from disk (with stamps),
// or one opam text taken from an archive; parsed and encoded. Shared by the main thread and the
// worker threads.
import { closeSync, fstatSync, openSync, readSync, statSync, type BigIntStats } from "node:fs";
import { errnoCode, isUserError, UserError } from "../core/errors.js";
import { parseOpam } from "../opam/parser.js";
import { packageFromOpam } from "../opam/package.js";
import { encodeFailure, encodePackage } from "./codec.js";
import { versionDirs } from "./tree.js";

export type ParseJob =
  /** Every version directory of `packagesDir/<name>`. */
  | { kind: "package"; packagesDir: string; name: string }
  /** One opam file held in `texts[textStart, textEnd)`; `file` is shown in error messages. */
  | { kind: "text"; name: string; version: string; file: string; textStart: number; textEnd: number };

export interface ParsedEntry {
  version: string;
  /** Per-file stamp for files on disk (`statStamp`), "" for texts. */
  stamp: string;
  /** `codec.ts` bytes. */
  blob: Buffer;
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

/** Reads and encodes one opam file on disk; undefined when it does not exist (any more). */
export function readOpamFile(file: string, name: string, version: string): ParsedEntry | undefined {
  let read: { text: string; stamp: string } | undefined;
  try {
    read = readWithStamp(file);
  } catch (error) {
    const message = `cannot read ${file}: ${(error as Error).message}`;
    return { version, stamp: "", blob: encodeFailure(new UserError("REPO_INVALID", message)) };
  }
  return read === undefined ? undefined : { version, stamp: read.stamp, blob: encodeOpamText(read.text, file, name, version) };
}

export function runJob(job: ParseJob, texts: Uint8Array | undefined): ParsedEntry[] {
  if (job.kind === "package") {
    const out: ParsedEntry[] = [];
    for (const [version, file] of versionDirs(job.packagesDir, job.name)) {
      const entry = readOpamFile(file, job.name, version);
      if (entry !== undefined) out.push(entry);
    }
    return out;
  }
  const bytes = Buffer.from(texts!.buffer, texts!.byteOffset + job.textStart, job.textEnd - job.textStart);
  return [{ version: job.version, stamp: "", blob: encodeOpamText(bytes.toString("utf8"), job.file, job.name, job.version) }];
}
