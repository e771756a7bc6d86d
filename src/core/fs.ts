// Filesystem helpers shared by every stage: atomic writes, containment checks, and deletion
// that never follows a symlink out of the directory it was asked to clean.
import { lstatSync } from "node:fs";
import path from "node:path";
import { lstat, mkdir, remove, rename, writeFile } from "./async-fs.js";
import { errnoCode, UserError } from "./errors.js";
import { fileKind } from "./read-input.js";

/**
 * A unique temporary name beside `target` (same filesystem, so rename is atomic): the pid and 32
 * random bits as 8 hex digits (Math.random: loading node:crypto costs light commands' start-up).
 */
export function siblingTempPath(target: string, tag = "tmp"): string {
  const dir = path.dirname(target);
  const random = Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, "0");
  return path.join(dir, `.${path.basename(target)}.${tag}-${process.pid}-${random}`);
}

/**
 * Write a file so that readers see either the old content or the new one, never a mix. Never
 * replaces what is not a regular file (a device, FIFO or directory: NOT_A_REGULAR_FILE); a failed
 * write (read-only, full disk, no permission) is WRITE_FAILED naming `target`.
 */
export async function writeFileAtomic(target: string, content: string | Uint8Array, mode?: number): Promise<void> {
  const existing = lstatSync(target, { throwIfNoEntry: false });
  if (existing !== undefined && !existing.isFile() && !existing.isSymbolicLink()) {
    throw new UserError("NOT_A_REGULAR_FILE", `refusing to write ${target}: it is ${fileKind(existing)}, not a regular file`, {
      hint: `remove ${target} or write to another path`,
    });
  }
  const temp = siblingTempPath(target);
  try {
    await mkdir(path.dirname(target));
    await writeFile(temp, content, mode);
    await rename(temp, target);
  } catch (error) {
    await remove(temp).catch(() => undefined);
    throw writeFailed(target, error);
  }
}

const WRITE_REASONS: Record<string, string> = {
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOTDIR: "a parent is not a directory",
  EISDIR: "it is a directory",
};

/** WRITE_FAILED for `target` (a path, or "standard output"), with the reason its errno gives. */
export function writeFailed(target: string, error: unknown, hint = "free some space or write access in that directory, or pass another path"): UserError {
  const code = errnoCode(error);
  const reason = (code && WRITE_REASONS[code]) ?? (error as Error).message;
  return new UserError("WRITE_FAILED", `cannot write ${target}: ${reason}${code && WRITE_REASONS[code] ? ` (${code})` : ""}`, { hint, cause: error });
}

/** True when `child` is `parent` itself or lies below it (after normalisation). */
export function pathIsInside(child: string, parent: string, strict = false): boolean {
  const relative = path.relative(path.resolve(parent), path.resolve(child));
  if (relative === "") return !strict;
  return !relative.startsWith("..") && !path.isAbsolute(relative) && relative.split(path.sep)[0] !== "..";
}

/**
 * Remove `target` (file, directory or symlink) only if it lies strictly inside `root`.
 * A symlink is unlinked, never followed. Missing targets are fine.
 */
export async function removeInside(root: string, target: string): Promise<void> {
  if (!pathIsInside(target, root, true)) {
    throw new Error(`refusing to delete ${target}: not inside ${root}`);
  }
  // A synchronous lstat: most targets (.git, a nested duniverse/) do not exist, and one system
  // call costs far less than a thread-pool round trip.
  const info = lstatSync(target, { throwIfNoEntry: false });
  if (info === undefined) return;
  await remove(target);
}

export async function pathExists(target: string): Promise<boolean> {
  try {
    await lstat(target);
    return true;
  } catch (error) {
    if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR") return false;
    throw error;
  }
}
