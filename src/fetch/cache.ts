// The download cache, shared with opam: `<dir>/<algo>/<2 hex>/<hex>`. Entries are published by
// rename after verification, so readers (this or another process) never see a partial file;
// a hit is re-hashed against every listed checksum and a corrupt entry is removed, never used.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, link, mkdir, readdir, rename, rm, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { errnoCode } from "../core/errors.js";
import { opamRoot, toolCacheDir } from "../core/paths.js";
import type { Reporter } from "../core/reporter.js";
import { findMismatch, formatHash, hashFile, type Hash } from "./checksum.js";

const TEMP_DIR = ".opam-monorepo-tmp";
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
  constructor(readonly dir: string) {}

  /** Where an archive with this checksum lives (opam's layout). */
  entryPath(hash: Hash): string {
    return path.join(this.dir, hash.algo, hash.hex.slice(0, 2), hash.hex);
  }

  /** A fresh temp file name inside the cache (same filesystem, so publishing is a rename). */
  async tempFile(): Promise<string> {
    const dir = path.join(this.dir, TEMP_DIR);
    await mkdir(dir, { recursive: true });
    return path.join(dir, `${process.pid}-${randomBytes(6).toString("hex")}`);
  }

  /**
   * The cached file for `hashes`, verified against all of them, or undefined. A corrupt entry
   * is deleted with a warning and the lookup goes on with the next hash.
   */
  async lookup(hashes: readonly Hash[], reporter: Reporter): Promise<string | undefined> {
    for (const hash of hashes) {
      const file = this.entryPath(hash);
      if (!(await isFile(file))) continue;
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
    await mkdir(path.dirname(target), { recursive: true });
    await rename(tempFile, target);
    await this.linkAll(target, hashes);
    return target;
  }

  /** Make sure `file` is also reachable under every other hash (hard link, else copy); atomic. */
  private async linkAll(file: string, hashes: readonly Hash[]): Promise<void> {
    for (const hash of hashes) {
      const other = this.entryPath(hash);
      if (other === file || (await isFile(other))) continue;
      await mkdir(path.dirname(other), { recursive: true });
      const temp = await this.tempFile();
      try {
        await link(file, temp).catch(() => copyFile(file, temp));
        await rename(temp, other);
      } finally {
        await rm(temp, { force: true });
      }
    }
  }

  /** Delete temp files that a killed process left behind (old enough not to be in use). */
  async removeStaleTempFiles(now = Date.now()): Promise<void> {
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

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch (error) {
    if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR") return false;
    throw error;
  }
}
