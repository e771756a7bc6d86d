// A repository on disk: `packages/<name>/<name>.<version>/opam`. Cold: every file is read and
// parsed (in parallel) and the index cache written; warm: answers come from the cache, each
// name revalidated against its files on first use (or trusted when a git commit pins them).
import { readdirSync, statSync, type Dirent } from "node:fs";
import path from "node:path";
import { errnoCode, UserError } from "../core/errors.js";
import { openIndexed } from "./indexed.js";
import { isPackageName, versionOfDir } from "./layout.js";
import type { TableEntry, TableSource } from "./package-table.js";
import { encodeOpamText, fileStamp, readWithStamp, type ParseJob } from "./parse-job.js";
import { defaultThreads, runJobs } from "./parse-pool.js";
import type { OpenDeps, Repository } from "./repository.js";

export interface TreeOptions {
  root: string;
  label: string;
  url: string;
  commit: string | undefined;
  /** Identity and content stamp for the index cache. */
  identity: string;
  stamp: string;
  /** Check each name's files on first use (plain directories); false when a commit pins them. */
  revalidate: boolean;
}

function listDir(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR") return [];
    throw error;
  }
}

const maybeDir = (entry: Dirent): boolean => entry.isDirectory() || entry.isSymbolicLink();

/** `[version, absolute opam path]` of each version directory of `name`. */
function versionDirs(packagesDir: string, name: string): [string, string][] {
  const out: [string, string][] = [];
  for (const entry of listDir(path.join(packagesDir, name))) {
    const version = maybeDir(entry) ? versionOfDir(name, entry.name) : undefined;
    if (version !== undefined) out.push([version, path.join(packagesDir, name, entry.name, "opam")]);
  }
  return out;
}

function listNames(packagesDir: string): string[] {
  return listDir(packagesDir)
    .filter((entry) => maybeDir(entry) && isPackageName(entry.name))
    .map((entry) => entry.name);
}

/** Fails unless `root` is a directory holding `packages/`. */
export function checkRepositoryRoot(root: string, url: string): void {
  const stats = statSync(root, { throwIfNoEntry: false });
  if (stats === undefined) {
    throw new UserError("REPO_UNREACHABLE", `repository ${url} is unreachable: ${root} does not exist`);
  }
  const packages = statSync(path.join(root, "packages"), { throwIfNoEntry: false });
  if (!stats.isDirectory() || packages === undefined || !packages.isDirectory()) {
    throw new UserError("REPO_INVALID", `${url} is not an opam repository: ${root} has no packages/ directory`, {
      hint: "an opam repository holds packages/<name>/<name>.<version>/opam files",
    });
  }
}

function treeSource(packagesDir: string, revalidate: boolean): TableSource {
  let names: string[] | undefined;
  const reparse = (name: string, version: string): Buffer | undefined => {
    const file = path.join(packagesDir, name, `${name}.${version}`, "opam");
    const read = readWithStamp(file);
    return read === undefined ? undefined : encodeOpamText(read.text, file, name, version);
  };
  const refresh = (name: string, cached: readonly TableEntry[] | undefined): TableEntry[] => {
    const out: TableEntry[] = [];
    for (const [version, file] of versionDirs(packagesDir, name)) {
      const stamp = fileStamp(file);
      const same = cached?.find((entry) => entry.version === version && entry.stamp === stamp);
      if (same !== undefined) out.push(same);
      else if (stamp !== undefined) {
        const read = readWithStamp(file);
        if (read !== undefined) out.push({ version, stamp: read.stamp, blob: encodeOpamText(read.text, file, name, version) });
      }
    }
    return out;
  };
  return {
    reparse,
    listNames: () => (names ??= listNames(packagesDir)),
    ...(revalidate ? { refresh } : {}),
  };
}

async function coldEntries(packagesDir: string, threads: number): Promise<Map<string, TableEntry[]>> {
  const jobs: ParseJob[] = [];
  for (const name of listNames(packagesDir).sort()) {
    for (const [version, file] of versionDirs(packagesDir, name)) jobs.push({ name, version, file, path: file });
  }
  const results = await runJobs(jobs, undefined, threads);
  const entries = new Map<string, TableEntry[]>();
  jobs.forEach((job, i) => {
    const { stamp, blob } = results[i]!;
    if (blob === undefined) return;
    const list = entries.get(job.name) ?? [];
    list.push({ version: job.version, stamp, blob });
    entries.set(job.name, list);
  });
  return entries;
}

/** Opens a repository tree, through the index cache when it is valid. */
export async function openTree(options: TreeOptions, deps: OpenDeps): Promise<Repository> {
  checkRepositoryRoot(options.root, options.url);
  const packagesDir = path.join(options.root, "packages");
  const threads = deps.threads ?? defaultThreads();
  return openIndexed(
    { ...options, source: treeSource(packagesDir, options.revalidate), cold: () => coldEntries(packagesDir, threads) },
    deps,
  );
}

/** A local directory repository (`file://` URL or path). */
export async function openDirectory(spec: { path: string; url?: string; label?: string }, deps: OpenDeps): Promise<Repository> {
  const root = path.resolve(spec.path);
  const url = spec.url ?? `file://${root}`;
  const label = spec.label ?? path.basename(root);
  return openTree({ root, label, url, commit: undefined, identity: `directory:${root}`, stamp: "", revalidate: true }, deps);
}
