// Writes checked archive entries (tar-scan.ts, zip-extract.ts) into a fresh, empty directory,
// synchronously and in archive order, a file's data chunk by chunk (never held whole). Keeps a
// model of every path this extraction made, and checks each write's parent against it first: a
// parent must be a directory this extraction created itself, so no write ever goes through a
// symlink (or a hard link to one); files are created with O_EXCL|O_NOFOLLOW. Only writes below
// `root`, and at most `maxBytes` of file data. Records each file's sha256 and stat as written.
import { createHash, type Hash } from "node:crypto";
import { closeSync, constants, fstatSync, linkSync, mkdirSync, openSync, symlinkSync, unlinkSync, writeSync } from "node:fs";
import { errnoCode, UserError } from "../core/errors.js";
import { isNormalisedPath } from "./entry-check.js";
import type { EntrySink, ScannedEntry } from "./tar-scan.js";

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** The default cap on the file data one archive may extract (--max-extracted-size). */
export const DEFAULT_MAX_EXTRACTED_SIZE = 4 * 1024 ** 3;

/** What a path this extraction made is (hard links to files are files). */
type Made = "dir" | "file" | "symlink";

/**
 * A file as this extraction left it: its stat when it was closed and the sha256 of the data
 * written. A later stat that still matches lets the pull manifest skip reading the file again.
 */
export interface WrittenFile {
  mode: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  sha256: string;
}

export class TreeWriter implements EntrySink {
  private readonly made = new Map<string, Made>([["", "dir"]]);
  /** The file being written (between `entry` and `end`). */
  private open: { fd: number; path: string; hash: Hash } | undefined;
  private written = 0;
  /** Every regular file written and left as closed (hard links and their targets excepted), by its path below `root`. */
  readonly files = new Map<string, WrittenFile>();

  constructor(private readonly root: string, private readonly label: string, private readonly maxBytes = DEFAULT_MAX_EXTRACTED_SIZE) {}

  entry(entry: ScannedEntry): void {
    this.closeFile();
    this.guard(entry.path, () => {
      if (!isNormalisedPath(entry.path)) throw unsafe(this.label, entry.path, "not a normalised relative path");
      if (entry.kind === "dir") this.makeDir(entry.path);
      else if (entry.kind === "file") this.createFile(entry.path, entry.mode);
      else if (entry.kind === "symlink") this.place(entry.path, "symlink", (full) => symlinkSync(entry.target, full));
      else this.hardLink(entry.path, entry.target);
    });
  }

  /** The next chunk of the open file's data. */
  data(chunk: Buffer): void {
    const file = this.open;
    if (file === undefined) return;
    this.written += chunk.length;
    if (this.written > this.maxBytes) throw tooLarge(this.label, this.maxBytes);
    this.guard(file.path, () => {
      for (let offset = 0; offset < chunk.length; ) offset += writeSync(file.fd, chunk, offset);
    });
    file.hash.update(chunk);
  }

  end(): void {
    this.closeFile();
  }

  /** Close what is open (also after a failure: call it then too). */
  finish(): void {
    this.closeFile();
  }

  /** Close the open file, recording its stat and digest (one fstat: no path lookup). */
  private closeFile(): void {
    const file = this.open;
    this.open = undefined;
    if (file === undefined) return;
    this.guard(file.path, () => {
      try {
        const info = fstatSync(file.fd);
        this.files.set(file.path, { mode: info.mode & 0o7777, size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, sha256: file.hash.digest("hex") });
      } finally {
        closeSync(file.fd);
      }
    });
  }

  private createFile(entry: string, mode: number): void {
    this.place(entry, "file", (full) => {
      this.open = { fd: openSync(full, CREATE_FLAGS, mode), path: entry, hash: createHash("sha256") };
    });
  }

  /** A hard link only to a regular file this archive wrote earlier (never to a link or a dir). */
  private hardLink(entry: string, target: string): void {
    const kind = this.made.get(target);
    if (kind !== "file") {
      const what = kind === "symlink" ? "a symlink" : kind === "dir" ? "a directory" : "no file extracted before it";
      throw unsafe(this.label, entry, `hard link to ${JSON.stringify(target)}, which is ${what}; hard links must point to a regular file extracted earlier from the same archive`);
    }
    if (target === entry) return;
    this.place(entry, "file", (full) => linkSync(this.fullPath(target), full));
    // Linking moved the target's ctime: its record no longer describes it (the scan stats it).
    this.files.delete(target);
  }

  /** A directory entry over an earlier file or symlink replaces it (never writes through it). */
  private makeDir(entry: string): void {
    const kind = this.made.get(entry);
    if (kind === "dir") return;
    this.checkParents(entry);
    const full = this.fullPath(entry);
    if (kind !== undefined) unlinkSync(full);
    this.files.delete(entry);
    mkdirSync(full);
    this.made.set(entry, "dir");
  }

  /** Create `entry` (after removing an earlier file or symlink of that name) with `create`. */
  private place(entry: string, kind: Made, create: (full: string) => void): void {
    const previous = this.made.get(entry);
    if (previous === "dir") throw new UserError("ARCHIVE_INVALID", `${this.label}: cannot extract ${JSON.stringify(entry)}: an earlier entry made it a directory`);
    this.checkParents(entry);
    const full = this.fullPath(entry);
    if (previous !== undefined) unlinkSync(full);
    this.made.delete(entry);
    this.files.delete(entry);
    create(full);
    this.made.set(entry, kind);
  }

  /**
   * `entry` below `root`. Entries come checked and normalised (entry-check.ts: relative, no `.`,
   * `..` or empty segment; `entry()` refuses one that is not before writing anything), so joining
   * by hand equals `path.join`, whose normalising showed among an extraction thread's top costs.
   */
  private fullPath(entry: string): string {
    return `${this.root}/${entry}`;
  }

  /**
   * Every ancestor of `entry` is a directory we made (missing ones are made now); else refuse.
   * A parent we made as a directory stays one (nothing replaces a directory) and had its own
   * ancestors checked then, so most entries stop at their parent.
   */
  private checkParents(entry: string): void {
    const slash = entry.lastIndexOf("/");
    if (slash < 0 || this.made.get(entry.slice(0, slash)) === "dir") return;
    const parts = entry.split("/");
    for (let depth = 1; depth < parts.length; depth++) {
      const dir = parts.slice(0, depth).join("/");
      const kind = this.made.get(dir);
      if (kind === "dir") continue;
      if (kind !== undefined) throw unsafe(this.label, entry, `it would be written through ${JSON.stringify(dir)}, which is ${kind === "symlink" ? "a symlink" : "a file"}`);
      mkdirSync(this.fullPath(dir));
      this.made.set(dir, "dir");
    }
  }

  /** Runs a file-system step; a system error becomes the UserError naming the archive and entry. */
  private guard(entry: string, step: () => void): void {
    try {
      step();
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw writeError(this.label, entry, error);
    }
  }
}

function unsafe(label: string, entry: string, why: string): UserError {
  return new UserError("ARCHIVE_UNSAFE", `${label}: refusing entry ${JSON.stringify(entry)}: ${why}`, {
    hint: "The archive tries to write outside its directory; it was not extracted.",
  });
}

export function tooLarge(label: string, maxBytes: number): UserError {
  return new UserError("ARCHIVE_TOO_LARGE", `${label}: the archive extracts to more than ${formatSize(maxBytes)}, the limit per archive; extraction stopped`, {
    hint: "if the archive is genuine, raise the limit with `--max-extracted-size <size>` (e.g. 8G) or OPAM_MONOREPO_MAX_EXTRACTED_SIZE",
  });
}

/** Bytes as the option takes them: 4G, 512M, 100K or a plain count. */
export function formatSize(bytes: number): string {
  for (const [unit, scale] of [["G", 1024 ** 3], ["M", 1024 ** 2], ["K", 1024]] as const) if (bytes >= scale && bytes % scale === 0) return `${bytes / scale}${unit}`;
  return `${bytes} bytes`;
}

const WRITE_FAILURES: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EIO: "input/output error",
};

/** The file system refused a write: not the archive's fault, so not ARCHIVE_INVALID. */
function writeError(label: string, entry: string, error: unknown): UserError {
  const code = errnoCode(error) ?? "";
  const why = WRITE_FAILURES[code] ?? (error as Error).message;
  return new UserError("EXTRACT_FAILED", `${label}: cannot extract ${JSON.stringify(entry)}: ${why}`, {
    cause: error,
    hint: code === "ENOSPC" || code === "EDQUOT" ? "free some space where the project's duniverse/ is, then run the command again" : undefined,
  });
}
