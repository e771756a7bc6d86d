// Writes checked tar entries (see tar-scan.ts) into a fresh, empty directory with as few system
// calls as possible: one mkdir per directory, one write per file, no lstat, no utimes. Files are
// opened with O_NOFOLLOW and a path seen before is unlinked first, so a write can never go
// through a symlink. Only ever writes below `root`.
import { closeSync, constants, mkdirSync, openSync, writeSync } from "node:fs";
import { link, mkdir, rm, symlink } from "node:fs/promises";
import path from "node:path";
import { errnoCode, UserError } from "../core/errors.js";
import type { ScannedEntry } from "./tar-scan.js";

const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
/** Writes in flight per archive (several archives are extracted at once). */
const PARALLEL = 8;
/** The settled promise of a directory that exists. */
const MADE: Promise<void> = Promise.resolve();

export class TreeWriter {
  private readonly dirs = new Map<string, Promise<void>>();
  /** The last operation on each path: operations on one path run in archive order. */
  private readonly paths = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;

  constructor(private readonly root: string, private readonly label: string) {
    this.dirs.set("", MADE);
  }

  /** Start writing `entry`; call `drain()` to apply back-pressure and surface errors. */
  add(entry: ScannedEntry): void {
    if (entry.kind === "dir") return this.addDir(entry.path);
    const previous = this.paths.get(entry.path);
    const dependency = entry.kind === "hardlink" ? this.paths.get(entry.target) : undefined;
    const operation = Promise.all([previous, dependency, this.ensureDir(path.posix.dirname(entry.path))]).then(() => this.write(entry, previous !== undefined));
    this.paths.set(entry.path, operation.catch(() => undefined));
    this.track(operation);
  }

  /** A directory entry over an earlier file or symlink replaces it (never writes through it). */
  private addDir(dir: string): void {
    const previous = this.paths.get(dir);
    if (previous === undefined) return this.track(this.ensureDir(dir));
    const full = path.join(this.root, dir);
    const replaced = previous.then(() => rm(full, { force: true })).then(() => mkdirQuiet(full));
    this.paths.delete(dir);
    this.dirs.set(dir, replaced);
    this.track(replaced);
  }

  /** Wait until few enough writes are in flight; rethrows the first failure. */
  async drain(limit = PARALLEL): Promise<void> {
    while (this.inFlight.size > limit) await Promise.race(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
  }

  async finish(): Promise<void> {
    await this.drain(0);
  }

  private track(operation: Promise<void>): void {
    const tracked = operation.then(
      () => void this.inFlight.delete(tracked),
      (error: unknown) => {
        this.inFlight.delete(tracked);
        this.failure ??= this.wrap(error);
      },
    );
    this.inFlight.add(tracked);
  }

  /** Made at once (synchronously) when its parent exists; after the parent when that is pending. */
  private ensureDir(dir: string): Promise<void> {
    const normalised = dir === "." ? "" : dir;
    let created = this.dirs.get(normalised);
    if (!created) {
      const parent = this.ensureDir(path.posix.dirname(normalised));
      const full = path.join(this.root, normalised);
      created = parent === MADE ? mkdirNow(full) : parent.then(() => mkdirQuiet(full));
      this.dirs.set(normalised, created);
    }
    return created;
  }

  private async write(entry: Exclude<ScannedEntry, { kind: "dir" }>, seen: boolean): Promise<void> {
    const full = path.join(this.root, entry.path);
    if (seen) await rm(full, { force: true });
    if (entry.kind === "file") writeFileNoFollow(full, entry.data, entry.mode);
    else if (entry.kind === "symlink") await symlink(entry.target, full);
    else await link(path.join(this.root, entry.target), full);
  }

  private wrap(error: unknown): unknown {
    if (error instanceof UserError) return error;
    return new UserError("ARCHIVE_INVALID", `${this.label}: cannot extract: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Synchronous on purpose: source files are small, and one open/write/close on this thread costs
 * less than three thread-pool round trips (measured on the sandboxed CI machines).
 */
function writeFileNoFollow(file: string, data: Buffer, mode: number): void {
  const fd = openSync(file, WRITE_FLAGS, mode);
  try {
    for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset);
  } finally {
    closeSync(fd);
  }
}

/** MADE, or the rejected promise of the failure (an existing directory is fine). */
function mkdirNow(dir: string): Promise<void> {
  try {
    mkdirSync(dir);
  } catch (error) {
    if (errnoCode(error) !== "EEXIST") return Promise.reject(error);
  }
  return MADE;
}

async function mkdirQuiet(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    if (errnoCode(error) !== "EEXIST") throw error;
  }
}
