// A stable digest of the locked sources (dir, url, checksums), for CI cache keys: the same lock
// file content gives the same key whatever the order or formatting. Pure.
import { createHash } from "node:crypto";

export interface LockedSource {
  dir: string;
  url: string;
  hashes: readonly string[];
}

/** Hex sha256 over the sorted `dir url hashes…` lines of `lockfile.repos`. */
export function cacheKey(lockfile: { repos: readonly LockedSource[] }): string {
  const lines = lockfile.repos
    .map((repo) => [repo.dir, repo.url, ...[...repo.hashes].map((hash) => hash.trim().toLowerCase()).sort()].join("\t"))
    .sort();
  return createHash("sha256").update(`opam-monorepo-cache-key-v1\n${lines.join("\n")}\n`).digest("hex");
}
