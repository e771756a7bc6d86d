// Which duniverse directories a pull may keep: those whose locked source equals the one the
// manifest records and whose files still match it (stat first, the digest when the stat moved).
// Reads duniverse/ only; never writes. Everything else is pulled again, with a reason to report
// when the directory was edited in place.
import { lstatSync } from "node:fs";
import path from "node:path";
import { MANIFEST_NAME, isPinnedSource, sameSource, sourceRecord, type Manifest, type ManifestRead, type RepoRecord } from "./manifest.js";
import type { DuniverseRepo } from "./plan.js";
import { describeDiff, diffTrees, isCleanDiff, scanTree } from "./tree-scan.js";

export interface IncrementalPlan {
  /** Directories kept as they are, with their refreshed records. */
  keep: Map<string, RepoRecord>;
  /** Repositories to fetch again. */
  pull: DuniverseRepo[];
  /** Directories replaced although their source did not change, and why (reported). */
  replaced: { dir: string; reason: string }[];
  /** Files whose digest had to be computed (their stat had moved). */
  hashed: number;
}

export interface IncrementalOptions {
  keepGitDir: boolean;
  /** Pull everything again (`pull --force`). */
  force?: boolean;
}

type Decision = { kind: "keep"; record: RepoRecord; hashed: number } | { kind: "pull"; reason?: string };

/** Decide, for each repository, keep or pull. */
export function planIncremental(duniverse: string, repos: readonly DuniverseRepo[], previous: ManifestRead, options: IncrementalOptions): IncrementalPlan {
  const plan: IncrementalPlan = { keep: new Map(), pull: [], replaced: [], hashed: 0 };
  const manifest = previous.kind === "ok" ? previous.manifest : undefined;
  for (const repo of repos) {
    const decision: Decision = options.force ? { kind: "pull" } : decide(duniverse, repo, manifest, options.keepGitDir);
    if (decision.kind === "keep") {
      plan.keep.set(repo.dir, decision.record);
      plan.hashed += decision.hashed;
      continue;
    }
    plan.pull.push(repo);
    if (decision.reason !== undefined) plan.replaced.push({ dir: repo.dir, reason: decision.reason });
  }
  return plan;
}

function decide(duniverse: string, repo: DuniverseRepo, manifest: Manifest | undefined, keepGitDir: boolean): Decision {
  const dir = path.join(duniverse, repo.dir);
  const info = lstatSync(dir, { throwIfNoEntry: false });
  if (info === undefined || manifest === undefined) return { kind: "pull" };
  const record = Object.hasOwn(manifest.repos, repo.dir) ? manifest.repos[repo.dir] : undefined;
  if (record === undefined) return { kind: "pull", reason: "not recorded in the manifest of the previous pull, replaced" };
  const source = sourceRecord(repo, keepGitDir);
  if (!isPinnedSource(source) || !sameSource(record.source, source)) return { kind: "pull" };
  if (!info.isDirectory()) return { kind: "pull", reason: `${info.isSymbolicLink() ? "a symbolic link" : "not a directory"}, replaced` };
  try {
    const scan = scanTree(dir, { previous: new Map(record.entries.map((entry) => [entry.path, entry])) });
    const diff = diffTrees(record.entries, scan.entries);
    if (!isCleanDiff(diff)) return { kind: "pull", reason: `${describeDiff(diff)}, replaced` };
    return { kind: "keep", record: { source, entries: scan.entries }, hashed: scan.hashed };
  } catch (error) {
    return { kind: "pull", reason: `could not be read (${(error as Error).message}), replaced` };
  }
}

/**
 * The manifest after the pull: the records of kept and fetched directories, and (partial pull)
 * the previous records of directories the pull does not touch. Symlinked directories left alone
 * have none.
 */
export function nextManifest(previous: ManifestRead, touched: ReadonlySet<string>, records: ReadonlyMap<string, RepoRecord>, partial: boolean, preserved: readonly string[]): Manifest {
  const repos: Record<string, RepoRecord> = Object.create(null);
  if (partial && previous.kind === "ok") {
    for (const [dir, record] of Object.entries(previous.manifest.repos)) if (!touched.has(dir)) repos[dir] = record;
  }
  for (const [dir, record] of records) repos[dir] = record;
  for (const dir of preserved) delete repos[dir];
  return { version: 1, repos };
}

export { MANIFEST_NAME };
