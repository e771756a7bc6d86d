// EFFECTS (reads only): walks one vendored directory tree and describes every entry (path, type,
// mode, size, times, sha256 of a file, target of a symlink), reusing a recorded digest when the
// stat of a file is unchanged; and compares two descriptions. Never follows a symlink.
import { createHash } from "node:crypto";
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, type Dirent, type Stats } from "node:fs";
import path from "node:path";
import { bytewise } from "../core/compare.js";

export type EntryType = "file" | "symlink" | "dir" | "other";

/** One entry of a tree, by its `/`-separated path relative to the tree's top. */
export interface TreeEntry {
  path: string;
  type: EntryType;
  /** Permission bits (`mode & 0o7777`). */
  mode: number;
  /** Files: size in bytes, modification and change times (ms), content digest (hex). */
  size?: number;
  mtimeMs?: number;
  ctimeMs?: number;
  sha256?: string;
  /** Symlinks: the target, as stored. */
  target?: string;
}

export interface ScanOptions {
  /** Entries recorded before, by path: a file whose stat matches keeps its recorded digest. */
  previous?: ReadonlyMap<string, TreeEntry>;
  /**
   * Files this process has just written, with the stat taken as each was closed: taken as they
   * are, without a stat of their own. Safe: any later change to such a file moves its ctime, so
   * the next comparison with this record sees it (the writer drops the record of a file it links).
   */
  written?: ReadonlyMap<string, TreeEntry>;
  /** Hash every file even when its stat matches (verify). */
  rehash?: boolean;
}

export interface Scan {
  entries: TreeEntry[];
  /** Files read and hashed (the rest were trusted by their stat). */
  hashed: number;
}

const CHUNK = 1 << 20;
const buffer = Buffer.allocUnsafe(CHUNK);

/** sha256 of a regular file, opened without following a symlink. */
export function hashFileNoFollow(file: string): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const hash = createHash("sha256");
    if (!fstatSync(fd).isFile()) throw new Error(`${file} is not a regular file`);
    for (let read = readSync(fd, buffer, 0, CHUNK, null); read > 0; read = readSync(fd, buffer, 0, CHUNK, null)) hash.update(buffer.subarray(0, read));
    return hash.digest("hex");
  } finally {
    closeSync(fd);
  }
}

const typeOf = (info: Stats): EntryType => (info.isFile() ? "file" : info.isSymbolicLink() ? "symlink" : info.isDirectory() ? "dir" : "other");

/** Same stat as recorded: a digest computed then still describes the file. */
function statMatches(recorded: TreeEntry | undefined, info: Stats): recorded is TreeEntry {
  return (
    recorded !== undefined && recorded.type === "file" && recorded.sha256 !== undefined && recorded.size === info.size &&
    recorded.mtimeMs === info.mtimeMs && recorded.ctimeMs === info.ctimeMs && recorded.mode === (info.mode & 0o7777)
  );
}

function describe(full: string, relative: string, info: Stats, options: ScanOptions, scan: Scan): TreeEntry {
  const type = typeOf(info);
  const entry: TreeEntry = { path: relative, type, mode: info.mode & 0o7777 };
  if (type === "symlink") entry.target = readlinkSync(full);
  if (type !== "file") return entry;
  const recorded = options.previous?.get(relative);
  let sha256: string;
  if (!options.rehash && statMatches(recorded, info)) sha256 = recorded.sha256!;
  else {
    sha256 = hashFileNoFollow(full);
    scan.hashed++;
  }
  return { ...entry, size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, sha256 };
}

/** The names in `dir`, sorted as strings, and whether each was a regular file when listed. */
function sortedEntries(dir: string): { name: string; file: boolean }[] {
  const listed = readdirSync(dir, { withFileTypes: true }).map((entry: Dirent) => ({ name: entry.name, file: entry.isFile() }));
  return listed.sort((a, b) => bytewise(a.name, b.name));
}

/** Every entry below `top` (a real directory), depth first, sorted by path. */
export function scanTree(top: string, options: ScanOptions = {}): Scan {
  const scan: Scan = { entries: [], hashed: 0 };
  const walk = (dir: string, prefix: string) => {
    for (const { name, file } of sortedEntries(dir)) {
      const relative = prefix === "" ? name : `${prefix}/${name}`;
      const written = file ? options.written?.get(relative) : undefined;
      if (written !== undefined && written.type === "file") {
        scan.entries.push(written);
        continue;
      }
      const full = path.join(dir, name);
      const info = lstatSync(full);
      scan.entries.push(describe(full, relative, info, options, scan));
      if (info.isDirectory()) walk(full, relative);
    }
  };
  walk(top, "");
  scan.entries.sort((a, b) => bytewise(a.path, b.path));
  return scan;
}

export interface TreeDiff {
  /** Content, type, mode or symlink target changed. */
  modified: string[];
  added: string[];
  removed: string[];
}

/** Entries equal in what a pull produced (times aside). */
function sameEntry(a: TreeEntry, b: TreeEntry): boolean {
  return a.type === b.type && a.mode === b.mode && a.sha256 === b.sha256 && a.target === b.target && (a.type !== "file" || a.size === b.size);
}

/** What changed from `recorded` to `current` (each list sorted). */
export function diffTrees(recorded: readonly TreeEntry[], current: readonly TreeEntry[]): TreeDiff {
  const before = new Map(recorded.map((entry) => [entry.path, entry]));
  const diff: TreeDiff = { modified: [], added: [], removed: [] };
  for (const entry of current) {
    const old = before.get(entry.path);
    if (old === undefined) diff.added.push(entry.path);
    else if (!sameEntry(old, entry)) diff.modified.push(entry.path);
    before.delete(entry.path);
  }
  diff.removed = [...before.keys()].sort();
  return diff;
}

export const isCleanDiff = (diff: TreeDiff): boolean => diff.modified.length + diff.added.length + diff.removed.length === 0;

/** "1 file modified locally, 2 added" (empty for a clean diff). */
export function describeDiff(diff: TreeDiff): string {
  const parts: string[] = [];
  const files = (count: number) => `${count} ${count === 1 ? "file" : "files"}`;
  if (diff.modified.length > 0) parts.push(`${files(diff.modified.length)} modified locally`);
  if (diff.added.length > 0) parts.push(`${parts.length > 0 ? diff.added.length : files(diff.added.length)} added`);
  if (diff.removed.length > 0) parts.push(`${parts.length > 0 ? diff.removed.length : files(diff.removed.length)} removed`);
  return parts.join(", ");
}
