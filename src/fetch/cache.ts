// The download cache, shared with opam: `<dir>/<algo>/<2 hex>/<hex>`. Entries are published by
// rename after verification, so readers (this or another process) never see a partial file;
// a hit is re-hashed against every listed checksum and a corrupt entry is removed, never used.
// Metadata calls (stat, mkdir, link, rename) are synchronous: each is one quick system call on a
// local disk, where the thread-pool round trip of the async form costs more than the call.
import { randomBytes } from "node:crypto";
import { accessSync, constants, copyFileSync, existsSync, linkSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { readdir, rm, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { errnoCode, UserError } from "../core/errors.js";
import { opamRoot, toolCacheDir } from "../core/paths.js";
import type { Reporter } from "../core/reporter.js";
import { findMismatch, formatHash, hashFile, type Hash } from "./checksum.js";

const TEMP_DIR = ".opam-monorepo-tmp";
/**
 * Random once per process (a pull makes two temp files per archive, and making random bytes each
 * time showed in its profile): with the pid and a counter, no two temp names of any processes meet.
 */
const TEMP_TAG = randomBytes(6).toString("hex");
let temps = 0;

/** Why the cache cannot be used, said about the cache itself (not an inner mkdir's ENOENT). */
function unusableCache(dir: string, error: unknown): UserError {
  const code = errnoCode(error);
  let reason = code === "ENOTDIR" ? "it is not a directory" : code === "EROFS" ? "it is on a read-only file system" : code === "ENOSPC" ? "no space left on device" : (error as Error).message;
  if (code !== "ENOTDIR" && code !== "EROFS" && code !== "ENOSPC" && existsSync(dir)) {
    try {
      accessSync(dir, constants.W_OK);
    } catch (denied) {
      reason = errnoCode(denied) === "EROFS" ? "it is on a read-only file system" : "it is not writable";
    }
  }
  return new UserError("PATH_UNUSABLE", `cannot use the download cache ${dir}: ${reason}`, {
    hint: "pass a writable directory with --cache-dir or OPAM_MONOREPO_CACHE",
  });
}
/** Temp files older than this were left by a killed process and may be deleted. */
const STALE_TEMP_MS = 6 * 60 * 60 * 1000;

/**
 * `--cache-dir` wins, then `OPAM_MONOREPO_CACHE`, then `$OPAMROOT/download-cache` when the opam
 * root exists (shared with opam), else `$XDG_CACHE_HOME/opam-monorepo/download-cache`.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, cacheDirOption?: string): string {
  if (cacheDirOption) return path.resolve(cacheDirOption);
  if (env.OPAM_MONOREPO_CACHE) return path.resolve(env.OPAM_MONOREPO_CACHE);
  const root = opamRoot(env);
  if (existsSync(root)) return path.join(root, "download-cache");
  return path.join(toolCacheDir(env), "download-cache");
}

export class DownloadCache {
  /** Directories this process made (or found): created once, not once per archive. */
  private readonly made = new Set<string>();

  constructor(readonly dir: string) {}

  /** Where an archive with this checksum lives (opam's layout). */
  entryPath(hash: Hash): string {
    return path.join(this.dir, hash.algo, hash.hex.slice(0, 2), hash.hex);
  }

  /** A fresh temp file name inside the cache (same filesystem, so publishing is a rename). */
  async tempFile(): Promise<string> {
    const dir = path.join(this.dir, TEMP_DIR);
    this.ensureDir(dir);
    return path.join(dir, `${process.pid}-${TEMP_TAG}-${temps++}`);
  }

  /**
   * The cached file for `hashes`, verified against all of them, or undefined. A corrupt entry
   * is deleted with a warning and the lookup goes on with the next hash.
   */
  async lookup(hashes: readonly Hash[], reporter: Reporter): Promise<string | undefined> {
    for (const hash of hashes) {
      const file = this.entryPath(hash);
      if (!isFile(file)) continue;
      const mismatch = findMismatch(hashes, await hashFile(file, hashes.map((h) => h.algo)));
      if (mismatch === undefined) {
        await this.linkAll(file, hashes);
        return file;
      }
      reporter.warn(`Conflicting file hashes, or broken or compromised cache! ${file} has ${formatHash(mismatch.actual)}, expected ${formatHash(mismatch.expected)}; removed it.`);
      await unlink(file).catch(() => undefined);
    }
    return undefined;
  }

  /** Publish a verified temp file under every hash; the temp file is consumed. */
  async store(tempFile: string, hashes: readonly Hash[]): Promise<string> {
    const [strongest] = hashes;
    const target = this.entryPath(strongest);
    this.ensureDir(path.dirname(target));
    renameSync(tempFile, target);
    await this.linkAll(target, hashes);
    return target;
  }

  private ensureDir(dir: string): void {
    if (this.made.has(dir)) return;
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw unusableCache(this.dir, error);
    }
    this.made.add(dir);
  }

  /** PATH_UNUSABLE when the cache is not a directory (a write that fails later says so too). */
  checkUsable(): void {
    const info = statSync(this.dir, { throwIfNoEntry: false });
    if (info !== undefined && !info.isDirectory()) throw unusableCache(this.dir, Object.assign(new Error("not a directory"), { code: "ENOTDIR" }));
  }

  /** Make sure `file` is also reachable under every other hash (hard link, else copy); atomic. */
  private async linkAll(file: string, hashes: readonly Hash[]): Promise<void> {
    for (const hash of hashes) {
      const other = this.entryPath(hash);
      if (other === file || isFile(other)) continue;
      this.ensureDir(path.dirname(other));
      publishLink(file, await this.tempFile(), other);
    }
  }

  /** Delete temp files that a killed process left behind (old enough not to be in use). */
  async removeStaleTempFiles(now = Date.now()): Promise<void> {
    this.checkUsable();
    const dir = path.join(this.dir, TEMP_DIR);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if (errnoCode(error) === "ENOENT") return;
      throw error;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      const info = await stat(file).catch(() => undefined);
      if (info && now - info.mtimeMs > STALE_TEMP_MS) await rm(file, { force: true });
    }
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch (error) {
    if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR") return false;
    throw error;
  }
}

/**
 * `file` also as `other`, atomically: linked (or copied) to `temp`, then renamed over `other`.
 * When `other` already is a link to the same file (another pull linked it meanwhile, or `mirror`
 * runs again into the same directory), rename(2) does nothing and leaves `temp`: it is removed
 * in every case. Used by the cache and by mirror.ts.
 */
export function publishLink(file: string, temp: string, other: string): void {
  try {
    linkOrCopy(file, temp);
    renameSync(temp, other);
  } finally {
    rmSync(temp, { force: true });
  }
}

/** A hard link, else (another filesystem, no link support) a copy. */
function linkOrCopy(file: string, temp: string): void {
  try {
    linkSync(file, temp);
  } catch {
    copyFileSync(file, temp);
  }
}
