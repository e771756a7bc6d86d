// EFFECTS: `pull` below the command line. Fetches every selected duniverse repository in
// parallel into a staging directory inside duniverse/, and swaps the result in only when all of
// them succeeded; reports every failure at once. Never deletes outside <root>/duniverse.
import { readdirSync, readFileSync, renameSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { mapConcurrent } from "../core/concurrency.js";
import { UserError } from "../core/errors.js";
import { crashPoint } from "../core/crash-point.js";
import { pathIsInside, removeInside } from "../core/fs.js";
import type { Interrupts } from "../core/interrupt.js";
import { DUNIVERSE_DIR } from "../core/paths.js";
import { fetchSource, type FetchResult } from "../fetch/fetch-source.js";
import { openFetchSession, type FetchOptions, type FetchSession } from "../fetch/session.js";
import { prepareDecoders } from "../fetch/extract.js";
import { sourceOf } from "../fetch/source.js";
import { lockProject, type ProjectLock } from "../fetch/project-lock.js";
import { recoverLeftovers } from "../fetch/recovery.js";
import { commitStaging, createStaging, duniverseState, fullPullOps, isStagingName, type Staging } from "../fetch/staging.js";
import { dirListProblems } from "./dir-names.js";
import { duniverseFiles } from "./files.js";
import { nextManifest, planIncremental, type IncrementalPlan } from "./incremental.js";
import { encodeManifest, MANIFEST_NAME, readManifest, sourceRecord, type ManifestRead, type RepoRecord } from "./manifest.js";
import type { DuniverseRepo } from "./plan.js";
import { scanTree, type TreeEntry } from "./tree-scan.js";
import { failureError, selectRepos, symlinkedDirs } from "../fetch/pull-support.js";
import { newProgress } from "../fetch/pull-progress.js";

export { downloadOnly, type DownloadOnlySummary } from "./download-only.js";

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
  /** Where SIGINT/SIGTERM cleanups are registered (the CLI's). */
  interrupts?: Interrupts;
  /** How long to wait for another pull of the project (default 10 minutes). */
  lockTimeoutMs?: number;
  /** Fetch every repository again, even those the manifest shows unchanged. */
  force?: boolean;
}

export interface PullSummary {
  /** Repositories fetched and put in place. */
  pulled: number;
  /** Repositories left in place: same source as recorded, files unchanged (incremental.ts). */
  kept: number;
  /** Directories replaced although their source had not changed (local edits), and why. */
  replaced: { dir: string; reason: string }[];
  /** Repositories selected (pulled + preserved symlinks). */
  total: number;
  /** Symlinked directories left alone (--keep-symlinked-dir). */
  preserved: string[];
  /** Where the archives came from. */
  fromCache: number;
  fromMirror: number;
  downloaded: number;
  /** Git commits fetched into the git store, and those it already had (no fetch). */
  git: number;
  gitStore: number;
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

/** The opam-monorepo checks, then ours (dir-names.ts): all problems of the list in one error. */
function checkDirs(root: string, repos: readonly DuniverseRepo[]): void {
  checkDuniverseDirs(root, repos);
  const problems = dirListProblems(repos);
  if (problems.length === 0) return;
  const lines = problems.map(({ entry, problem }) => `  ${JSON.stringify(entry.dir)} for ${entry.url}: ${problem}`);
  throw new UserError("DUNIVERSE_DIR_INVALID", `Invalid duniverse directories:\n${lines.join("\n")}`);
}

/** One pull under way: what it works on, and where it is (for its interrupt cleanup). */
interface PullRun {
  root: string;
  duniverse: string;
  options: PullOptions;
  summary: PullSummary;
  lock?: ProjectLock;
  staging?: Staging;
  /** Settles when the recovery or the commit under way is over; `committed` is set by then. */
  critical?: Promise<unknown>;
  committed: boolean;
  /** Extractions in flight: they write into the staging directory. */
  extracting: Set<Promise<unknown>>;
  aborted: boolean;
}

export async function pullDuniverse(options: PullOptions): Promise<PullSummary> {
  const root = path.resolve(options.root);
  const duniverse = path.join(root, DUNIVERSE_DIR);
  const selected = selectRepos(options.repos, options.only);
  checkDirs(root, selected);
  const summary: PullSummary = { pulled: 0, kept: 0, replaced: [], total: selected.length, preserved: [], fromCache: 0, fromMirror: 0, downloaded: 0, git: 0, gitStore: 0, local: 0, requests: 0, bytes: 0 };
  if (options.repos.length === 0) return summary;
  duniverseState(duniverse);
  const run: PullRun = { root, duniverse, options, summary, committed: false, extracting: new Set(), aborted: false };
  const unregister = options.interrupts?.register(() => interruptRun(run)) ?? (() => undefined);
  try {
    await mkdir(root, { recursive: true });
    run.lock = await lockProject(root, { reporter: options.reporter, timeoutMs: options.lockTimeoutMs, cancelled: () => run.aborted });
    crashPoint("locked");
    await (run.critical = recoverLeftovers(root, duniverse, options.reporter));
    crashPoint("recovered");
    await pullLocked(run, selected);
    return summary;
  } finally {
    unregister();
    run.lock?.release();
  }
}

async function pullLocked(run: PullRun, selected: DuniverseRepo[]): Promise<void> {
  const { duniverse, options, summary } = run;
  const partial = options.only !== undefined || options.keepSymlinkedDir;
  summary.preserved = options.keepSymlinkedDir ? await symlinkedDirs(duniverse, selected) : [];
  const previous = previousManifest(duniverse, options);
  const plan = planIncremental(duniverse, selected.filter((repo) => !summary.preserved.includes(repo.dir)), previous, options);
  for (const { dir, reason } of plan.replaced) options.reporter.warn(`duniverse/${dir}: ${reason}`);
  [summary.kept, summary.replaced] = [plan.keep.size, plan.replaced];
  const records = new Map(plan.keep);
  const manifestText = () => encodeManifest(nextManifest(previous, new Set(selected.map((repo) => repo.dir)), records, partial, summary.preserved));
  stopIfInterrupted(run);
  if (plan.pull.length === 0 && treeUpToDate(duniverse, partial ? undefined : plan, manifestText())) return;
  const staging = (run.staging = await createStaging(run.root, duniverse));
  try {
    if (plan.pull.length > 0) await fetchInto(run, plan.pull, records);
    for (const file of [...duniverseFiles(), { name: MANIFEST_NAME, content: manifestText() }]) await writeFile(path.join(staging.newDir, file.name), file.content);
    crashPoint("staged");
    stopIfInterrupted(run);
    const names = [...plan.pull.map((repo) => repo.dir), ...duniverseFiles().map((file) => file.name), MANIFEST_NAME];
    const ops = partial ? names.map((name) => ({ action: "replace" as const, name })) : await fullPullOps(duniverse, staging, new Set(plan.keep.keys()));
    await (run.critical = commitStaging(duniverse, staging, ops).then(() => void (run.committed = true)));
    summary.pulled = plan.pull.length;
  } catch (error) {
    if (!run.aborted) await removeInside(staging.parent, staging.dir).catch(() => undefined);
    throw error;
  }
}

/** The manifest of the previous pull; an unreadable one is reported and ignored. */
function previousManifest(duniverse: string, options: PullOptions): ManifestRead {
  const read = duniverseState(duniverse) === "absent" ? ({ kind: "absent" } as const) : readManifest(duniverse);
  if (read.kind === "invalid") options.reporter.warn(`duniverse/${MANIFEST_NAME} is not a manifest this tool wrote (${read.reason}): every directory is pulled again`);
  return read;
}

/**
 * Nothing to write: the manifest and the generated files are as they would be, and (full pull)
 * duniverse/ holds nothing but the kept directories and those files.
 */
function treeUpToDate(duniverse: string, plan: IncrementalPlan | undefined, manifest: string): boolean {
  const read = (name: string) => readFileSync(path.join(duniverse, name), "utf8");
  try {
    if (read(MANIFEST_NAME) !== manifest || duniverseFiles().some((file) => read(file.name) !== file.content)) return false;
    if (plan === undefined) return true;
    const expected = new Set([...plan.keep.keys(), ...duniverseFiles().map((file) => file.name), MANIFEST_NAME]);
    const present = readdirSync(duniverse).filter((name) => !isStagingName(name));
    return present.length === expected.size && present.every((name) => expected.has(name));
  } catch {
    return false;
  }
}

/** Fetch `repos` into the staging directory, recording what each one extracted. */
async function fetchInto(run: PullRun, repos: readonly DuniverseRepo[], records: Map<string, RepoRecord>): Promise<void> {
  const { options, summary } = run;
  const progress = newProgress(options.reporter, repos.length, options.tty ?? false);
  const session = await openFetchSession(options, progress.onBytes);
  prepareDecoders(repos.map((repo) => repo.url));
  session.extractor.prepare();
  try {
    await fetchAll(run, repos, trackExtractions(session, run), (repo, result) => {
      const entries = scanTree(path.join(run.staging!.newDir, repo.dir), { written: writtenEntries(result.files) }).entries;
      records.set(repo.dir, { source: sourceRecord(repo, options.keepGitDir), entries });
      count(summary, result);
      progress.done(repo.dir, result.from);
    }, (repo) => progress.start(repo.dir));
  } finally {
    progress.finish();
    summary.requests = session.stats.requests;
    summary.bytes = session.stats.bytes;
    await session.close();
  }
}

/**
 * What the extraction recorded of the files it wrote (stat as each was closed, digest of the data
 * written): the scan takes them as they are; files it did not record (hard links) are read.
 */
function writtenEntries(files: FetchResult["files"]): Map<string, TreeEntry> | undefined {
  if (files === undefined) return undefined;
  const entries = new Map<string, TreeEntry>();
  for (const [name, file] of files) entries.set(name, { path: name, type: "file", ...file });
  return entries;
}

function stopIfInterrupted(run: PullRun): void {
  if (run.aborted) throw new UserError("INTERRUPTED", "interrupted");
}

/** The session, with extractions counted (and refused once interrupted). */
function trackExtractions(session: FetchSession, run: PullRun): FetchSession {
  const extract: FetchSession["extractor"]["extract"] = (archive, workDir, label) => {
    if (run.aborted) return Promise.reject(new UserError("INTERRUPTED", "interrupted"));
    const job = session.extractor.extract(archive, workDir, label);
    const done = () => void run.extracting.delete(job);
    run.extracting.add(job);
    job.then(done, done);
    return job;
  };
  return { ...session, extractor: { ...session.extractor, extract } };
}

/**
 * SIGINT/SIGTERM: a recovery or commit under way finishes first (a failed commit rolls back);
 * otherwise the staging directory goes, once extractions into it have stopped (5 s at most).
 */
async function interruptRun(run: PullRun): Promise<string> {
  run.aborted = true;
  await run.critical?.catch(() => undefined);
  if (run.committed) {
    run.lock?.release();
    return "interrupted after duniverse/ was updated";
  }
  await Promise.race([Promise.allSettled([...run.extracting]), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  if (run.staging) await removeInside(run.staging.parent, run.staging.dir).catch(() => undefined);
  run.lock?.release();
  return "interrupted; duniverse/ unchanged";
}

type FetchDone = (repo: DuniverseRepo, result: FetchResult) => void;

async function fetchAll(run: PullRun, repos: readonly DuniverseRepo[], session: FetchSession, onDone: FetchDone, onStart?: (repo: DuniverseRepo) => void): Promise<void> {
  const { options } = run;
  const staging = run.staging!;
  // A work directory left empty (its top-level directory moved out) serves the next repository:
  // creating and deleting a directory per archive is costly on some filesystems.
  const spare: string[] = [];
  const results = await mapConcurrent(repos, options.jobs, async (repo, index) => {
    const workDir = spare.pop() ?? staging.workDir(index);
    onStart?.(repo);
    const result = await fetchSource(sourceOf(repo.url, repo.hashes), workDir, session, options.keepGitDir);
    stopIfInterrupted(run);
    // Synchronous: quick system calls, cheaper than thread-pool round trips (×100 archives).
    renameSync(result.content, path.join(staging.newDir, repo.dir));
    if (result.content !== workDir) {
      if (readdirSync(workDir).length === 0) spare.push(workDir);
      else await removeInside(staging.dir, workDir);
    }
    crashPoint("fetched");
    onDone(repo, result);
  });
  const failures = results.flatMap((result, index) => (result.ok ? [] : [{ repo: repos[index], error: result.error }]));
  if (failures.length > 0) throw failureError(failures, run.summary.total - run.summary.preserved.length);
}

function count(summary: PullSummary, result: FetchResult): void {
  if (result.from === "cache") summary.fromCache++;
  else if (result.from === "mirror") summary.fromMirror++;
  else if (result.from === "url") summary.downloaded++;
  else if (result.from === "git") summary.git++;
  else if (result.from === "git-store") summary.gitStore++;
  else summary.local++;
}
