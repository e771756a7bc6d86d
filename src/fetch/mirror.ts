// `mirror DIR`: writes every locked archive into DIR in opam's cache layout
// (`<algo>/<2 hex>/<hex>`), so any static file server can act as an archive mirror.
// Writes are atomic (temp file + rename); it never deletes anything in DIR.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { bytewise } from "../core/compare.js";
import { mapConcurrent } from "../core/concurrency.js";
import { siblingTempPath } from "../core/fs.js";
import { UserError } from "../core/errors.js";
import { unreachableError } from "./pull-support.js";
import type { LockedSource } from "./cache-key.js";
import { publishLink } from "./cache.js";
import { formatHash, parseHashes, type Hash } from "./checksum.js";
import { obtainArchive } from "./obtain.js";
import { openFetchSession, type FetchOptions } from "./session.js";
import { sourceOf } from "./source.js";

export interface MirrorSummary {
  /** Archives now present in the mirror. */
  written: number;
  /** Sources that cannot be mirrored (git, local directories, no checksum), with the reason. */
  skipped: { dir: string; reason: string }[];
  requests: number;
}

export async function writeMirror(dir: string, repos: readonly LockedSource[], options: FetchOptions): Promise<MirrorSummary> {
  const session = await openFetchSession(options);
  const skipped: MirrorSummary["skipped"] = [];
  try {
    const results = await mapConcurrent(repos, options.jobs, async (repo) => {
      const source = sourceOf(repo.url, repo.hashes);
      if (source.kind === "git") return void skipped.push({ dir: repo.dir, reason: "git source" });
      const hashes = parseHashes(repo.hashes, repo.url);
      if (hashes.length === 0) return void skipped.push({ dir: repo.dir, reason: "no checksum" });
      const obtained = await obtainArchive(source.url, hashes, { ...session.context, noChecksums: false });
      await placeInMirror(dir, obtained.file, hashes);
      return true;
    });
    const failed = results.flatMap((result, index) => (result.ok ? [] : [{ dir: repos[index].dir, error: result.error }]));
    const details = failed.map(({ dir, error }) => ({ dir, message: (error as Error).message }));
    const unreachable = unreachableError(failed.map(({ error }) => error), details, repos.length, "mirror");
    if (unreachable !== undefined) throw unreachable;
    const failures = details.map(({ dir, message }) => `  ${dir}: ${message}`);
    if (failures.length > 0) throw new UserError("DOWNLOAD_FAILED", `Could not mirror ${failures.length} archive(s):\n${failures.join("\n")}`);
    skipped.sort((a, b) => bytewise(a.dir, b.dir));
    return { written: results.filter((result) => result.ok && result.value === true).length, skipped, requests: session.stats.requests };
  } finally {
    await session.close();
  }
}

async function placeInMirror(dir: string, file: string, hashes: readonly Hash[]): Promise<void> {
  for (const hash of hashes) {
    const target = path.join(dir, hash.algo, hash.hex.slice(0, 2), hash.hex);
    await mkdir(path.dirname(target), { recursive: true });
    try {
      publishLink(file, siblingTempPath(target), target);
    } catch (error) {
      throw new UserError("DOWNLOAD_FAILED", `Could not write ${target} (${formatHash(hash)}): ${(error as Error).message}`, { cause: error });
    }
  }
}
