// EFFECTS (reads only): `verify`, is duniverse/ exactly what the lock file says? Every file of
// every locked directory is hashed again and compared with the manifest the pull wrote, and each
// recorded source with the locked one. Never writes; never follows a symlink.
import { lstatSync, readdirSync } from "node:fs";
import path from "node:path";
import { isStagingName } from "../fetch/staging.js";
import { duniverseFiles } from "./files.js";
import { MANIFEST_NAME, readManifest, sameSource, sourceRecord, type Manifest, type ManifestRead } from "./manifest.js";
import type { DuniverseRepo } from "./plan.js";
import { diffTrees, isCleanDiff, scanTree } from "./tree-scan.js";

/**
 * ok: as pulled. drift: files differ. source-changed: pulled from another source than the lock's.
 * missing: not in duniverse/. unverified: nothing to check against (no manifest record, a symlink).
 */
export type VerifyStatus = "ok" | "drift" | "source-changed" | "missing" | "unverified";

export interface RepoVerdict {
  dir: string;
  url: string;
  status: VerifyStatus;
  /** Why a repository is unverified, or which source it was pulled from. */
  reason?: string;
  modified: string[];
  added: string[];
  removed: string[];
  /** Files hashed. */
  files: number;
}

export interface VerifyReport {
  duniverse: string;
  manifest: ManifestRead["kind"];
  repos: RepoVerdict[];
  /** Entries of duniverse/ the lock file does not name (besides the generated files). */
  extra: string[];
  /** No drift: every repository ok or unverified, nothing extra. */
  ok: boolean;
}

const FAILING: readonly VerifyStatus[] = ["drift", "source-changed", "missing"];

export function verifyDuniverse(duniverse: string, repos: readonly DuniverseRepo[], checkExtra: boolean): VerifyReport {
  const read: ManifestRead = lstatSync(duniverse, { throwIfNoEntry: false })?.isDirectory() ? readManifest(duniverse) : { kind: "absent" };
  const manifest = read.kind === "ok" ? read.manifest : undefined;
  const verdicts = repos.map((repo) => verifyRepo(duniverse, repo, manifest, read));
  const extra = checkExtra ? extraEntries(duniverse, repos) : [];
  const ok = extra.length === 0 && verdicts.every((verdict) => !FAILING.includes(verdict.status));
  return { duniverse, manifest: read.kind, repos: verdicts, extra, ok };
}

function verifyRepo(duniverse: string, repo: DuniverseRepo, manifest: Manifest | undefined, read: ManifestRead): RepoVerdict {
  const verdict: RepoVerdict = { dir: repo.dir, url: repo.url, status: "ok", modified: [], added: [], removed: [], files: 0 };
  const dir = path.join(duniverse, repo.dir);
  const info = lstatSync(dir, { throwIfNoEntry: false });
  if (info === undefined) return { ...verdict, status: "missing" };
  if (info.isSymbolicLink()) return { ...verdict, status: "unverified", reason: "a symbolic link (pull --keep-symlinked-dir leaves it alone)" };
  const record = manifest && Object.hasOwn(manifest.repos, repo.dir) ? manifest.repos[repo.dir] : undefined;
  if (record === undefined) return { ...verdict, status: "unverified", reason: unrecordedReason(read) };
  const locked = sourceRecord(repo, record.source.keepGitDir);
  if (!sameSource(record.source, locked)) return { ...verdict, status: "source-changed", reason: `pulled from ${describeSource(record.source)}` };
  if (!info.isDirectory()) return { ...verdict, status: "drift", modified: ["."] };
  const scan = scanTree(dir, { rehash: true });
  const diff = diffTrees(record.entries, scan.entries);
  return { ...verdict, ...diff, status: isCleanDiff(diff) ? "ok" : "drift", files: scan.hashed };
}

function unrecordedReason(read: ManifestRead): string {
  if (read.kind === "absent") return `no ${MANIFEST_NAME}: pulled by another tool or an older version`;
  if (read.kind === "invalid") return `${MANIFEST_NAME} is unreadable (${read.reason})`;
  return `not recorded in ${MANIFEST_NAME} (put there by hand or by another tool)`;
}

function describeSource(source: { url: string; hashes: readonly string[] }): string {
  return source.hashes.length > 0 ? `${source.url} (${source.hashes.join(" ")})` : source.url;
}

function extraEntries(duniverse: string, repos: readonly DuniverseRepo[]): string[] {
  const known = new Set([...repos.map((repo) => repo.dir), ...duniverseFiles().map((file) => file.name), MANIFEST_NAME]);
  try {
    return readdirSync(duniverse).filter((name) => !known.has(name) && !isStagingName(name)).sort();
  } catch {
    return [];
  }
}
