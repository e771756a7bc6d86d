// EFFECTS: `pull` below the command line. Fetches every selected duniverse repository in
// parallel into a staging directory inside duniverse/, and swaps the result in only when all of
// them succeeded; reports every failure at once. Never deletes outside <root>/duniverse.
import { mkdirSync, readdirSync, renameSync, rmdirSync } from "node:fs";
import { stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { mapConcurrent } from "../core/concurrency.js";
import { UserError } from "../core/errors.js";
import { pathIsInside, removeInside, writeFileAtomic } from "../core/fs.js";
import { DUNIVERSE_DIR } from "../core/paths.js";
import { fetchSource, type FetchResult } from "../fetch/fetch-source.js";
import { openFetchSession, type FetchOptions, type FetchSession } from "../fetch/session.js";
import { obtainArchive } from "../fetch/obtain.js";
import { prepareDecoders } from "../fetch/extract.js";
import { sourceOf } from "../fetch/source.js";
import { commitFull, commitPartial, createStaging, recoverLeftovers } from "../fetch/staging.js";
import { duniverseFiles } from "./files.js";
import type { DuniverseRepo } from "./plan.js";
import { failureError, newProgress, selectRepos, symlinkedDirs } from "../fetch/pull-support.js";

export interface PullOptions extends FetchOptions {
  /** Project root; repositories go to `<root>/duniverse/<dir>`. */
  root: string;
  repos: readonly DuniverseRepo[];
  /** Partial pull: only these duniverse directories (others are left alone). */
  only?: readonly string[];
  keepGitDir: boolean;
  keepSymlinkedDir: boolean;
  /** Progress bar (TTY) rather than periodic `==>` lines. */
  tty?: boolean;
}

export interface PullSummary {
  /** Repositories fetched and put in place. */
  pulled: number;
  /** Repositories selected (pulled + preserved symlinks). */
  total: number;
  /** Symlinked directories left alone (--keep-symlinked-dir). */
  preserved: string[];
  /** Where the archives came from. */
  fromCache: number;
  fromMirror: number;
  downloaded: number;
  git: number;
  local: number;
  /** HTTP requests sent (every attempt), bytes received. */
  requests: number;
  bytes: number;
}

/** The exact message of opam-monorepo for a directory that escapes duniverse/ (§5). */
export function checkDuniverseDirs(root: string, repos: readonly DuniverseRepo[]): void {
  const duniverse = path.join(root, DUNIVERSE_DIR);
  const bad = repos.filter((repo) => !pathIsInside(path.resolve(duniverse, repo.dir), duniverse, true));
  if (bad.length === 0) return;
  const lines = bad.map((repo) => `Refusing to pull ${repo.url} into directory ${duniverse}/${repo.dir} as it is not inside the directory ${duniverse}`);
  throw new UserError("DUNIVERSE_DIR_OUTSIDE", lines.join("\n"));
}

export async function pullDuniverse(options: PullOptions): Promise<PullSummary> {
  const root = path.resolve(options.root);
  const duniverse = path.join(root, DUNIVERSE_DIR);
  const selected = selectRepos(options.repos, options.only);
  checkDuniverseDirs(root, selected);
  const summary: PullSummary = { pulled: 0, total: selected.length, preserved: [], fromCache: 0, fromMirror: 0, downloaded: 0, git: 0, local: 0, requests: 0, bytes: 0 };
  if (options.repos.length === 0) return summary;
  await recoverLeftovers(root, duniverse);
  const full = options.only === undefined && !options.keepSymlinkedDir;
  summary.preserved = options.keepSymlinkedDir ? await symlinkedDirs(duniverse, selected) : [];
  const toPull = selected.filter((repo) => !summary.preserved.includes(repo.dir));
  const staging = await createStaging(duniverse);
  const progress = newProgress(options.reporter, toPull.length, options.tty ?? false);
  const session = await openFetchSession(options, progress.onBytes);
  prepareDecoders(toPull.map((repo) => repo.url));
  session.extractor.prepare();
  try {
    await fetchAll(toPull, staging, session, options, (repo, result) => {
      count(summary, result);
      progress.done(repo.dir);
    });
    await publish(root, duniverse, staging, toPull, full);
    summary.pulled = toPull.length;
    return summary;
  } catch (error) {
    await removeInside(duniverse, staging).catch(() => undefined);
    throw error;
  } finally {
    progress.finish();
    summary.requests = session.stats.requests;
    summary.bytes = session.stats.bytes;
    await session.close();
  }
}

async function fetchAll(repos: readonly DuniverseRepo[], staging: string, session: FetchSession, options: PullOptions, onDone: (repo: DuniverseRepo, result: FetchResult) => void): Promise<void> {
  // A work directory left empty (its top-level directory moved out) serves the next repository:
  // creating and deleting a directory per archive is costly on some filesystems.
  const spare: string[] = [];
  const results = await mapConcurrent(repos, options.jobs, async (repo, index) => {
    const workDir = spare.pop() ?? path.join(staging, `.work-${index}`);
    const result = await fetchSource(sourceOf(repo.url, repo.hashes), workDir, session, options.keepGitDir);
    // Synchronous: quick system calls, cheaper than thread-pool round trips (×100 archives).
    const target = path.join(staging, repo.dir);
    mkdirSync(path.dirname(target), { recursive: true });
    renameSync(result.content, target);
    if (result.content !== workDir) {
      if (readdirSync(workDir).length === 0) spare.push(workDir);
      else await removeInside(staging, workDir);
    }
    onDone(repo, result);
  });
  for (const workDir of spare) rmdirSync(workDir);
  const failures = results.flatMap((result, index) => (result.ok ? [] : [{ repo: repos[index], error: result.error }]));
  if (failures.length > 0) throw failureError(failures, repos.length);
}

async function publish(root: string, duniverse: string, staging: string, repos: readonly DuniverseRepo[], full: boolean): Promise<void> {
  if (full) {
    for (const file of duniverseFiles()) await writeFile(path.join(staging, file.name), file.content);
    await commitFull(root, duniverse, staging);
    return;
  }
  await commitPartial(duniverse, staging, repos.map((repo) => repo.dir));
  for (const file of duniverseFiles()) await writeFileAtomic(path.join(duniverse, file.name), file.content);
}

function count(summary: PullSummary, result: FetchResult): void {
  if (result.from === "cache") summary.fromCache++;
  else if (result.from === "mirror") summary.fromMirror++;
  else if (result.from === "url") summary.downloaded++;
  else if (result.from === "git") summary.git++;
  else summary.local++;
}

export interface DownloadOnlySummary {
  /** Archives now in the download cache. */
  archives: number;
  fromCache: number;
  fromMirror: number;
  downloaded: number;
  /** Sources the download cache cannot hold (git, local directories, no checksum). */
  skipped: { dir: string; reason: string }[];
  requests: number;
  bytes: number;
}

/** `pull --download-only`: fill the download cache for every archive; extract nothing. */
export async function downloadOnly(options: FetchOptions & { repos: readonly DuniverseRepo[]; only?: readonly string[] }): Promise<DownloadOnlySummary> {
  const selected = selectRepos(options.repos, options.only);
  const summary: DownloadOnlySummary = { archives: 0, fromCache: 0, fromMirror: 0, downloaded: 0, skipped: [], requests: 0, bytes: 0 };
  const session = await openFetchSession({ ...options, noChecksums: false });
  try {
    const results = await mapConcurrent(selected, options.jobs, async (repo) => {
      const source = sourceOf(repo.url, repo.hashes);
      const hashes = source.kind === "git" ? [] : source.hashes;
      if (source.kind === "git" || hashes.length === 0) return { dir: repo.dir, reason: source.kind === "git" ? "git source" : "no checksum" };
      if (source.kind === "local" && (await stat(source.path).catch(() => undefined))?.isDirectory()) return { dir: repo.dir, reason: "local directory" };
      const obtained = await obtainArchive(source.url, hashes, session.context);
      summary.archives++;
      if (obtained.from === "cache") summary.fromCache++;
      else if (obtained.from === "mirror") summary.fromMirror++;
      else summary.downloaded++;
      return undefined;
    });
    const failures = results.flatMap((result, index) => (result.ok ? [] : [{ repo: selected[index], error: result.error }]));
    if (failures.length > 0) throw failureError(failures, selected.length);
    summary.skipped = results.flatMap((result) => (result.ok && result.value ? [result.value] : []));
    return summary;
  } finally {
    summary.requests = session.stats.requests;
    summary.bytes = session.stats.bytes;
    await session.close();
  }
}
