// Reading input files that someone else may have put there (lock files, opam files, dune-project):
// opened without blocking, only regular files accepted (a FIFO, device or directory is refused,
// never waited on or read forever) and at most MAX_INPUT_BYTES. Missing files keep their errno.
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from "node:fs";
import { close, fstat, open, readFd } from "./async-fs.js";
import { UserError } from "./errors.js";

/** Far above any real opam file, lock file or dune-project. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** What a non-regular file is, for messages. */
export function fileKind(stats: Stats | import("node:fs").BigIntStats): string {
  if (stats.isFile()) return "a regular file";
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a named pipe (FIFO)";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}

export function notRegular(file: string, kind: string, what: string): UserError {
  return new UserError("NOT_A_REGULAR_FILE", `${file} is ${kind}, not a regular file: cannot read it as ${what}`, {
    hint: `replace ${file} with a regular file, or remove it`,
    details: { kind },
  });
}

/** True for the error readInputText gives when the file is a directory. */
export function isDirectoryError(error: unknown): boolean {
  return error instanceof UserError && error.code === "NOT_A_REGULAR_FILE" && (error.details as { kind?: string }).kind === "a directory";
}

/** The text of `file` (UTF-8); `what` names it in errors ("a lock file", "an opam file"). */
export async function readInputText(file: string, what: string, maxBytes = MAX_INPUT_BYTES): Promise<string> {
  const fd = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = await fstat(fd);
    if (!stats.isFile()) throw notRegular(file, fileKind(stats), what);
    if (stats.size > maxBytes) {
      throw new UserError("FILE_TOO_LARGE", `${file} is ${stats.size} bytes, more than the ${maxBytes} bytes allowed for ${what}`);
    }
    return await readFd(fd, "utf8");
  } finally {
    await close(fd);
  }
}

/** readInputText, synchronously. */
export function readInputTextSync(file: string, what: string, maxBytes = MAX_INPUT_BYTES): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw notRegular(file, fileKind(stats), what);
    if (stats.size > maxBytes) {
      throw new UserError("FILE_TOO_LARGE", `${file} is ${stats.size} bytes, more than the ${maxBytes} bytes allowed for ${what}`);
    }
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}
