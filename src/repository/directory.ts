// A repository on disk: `packages/<name>/<name>.<version>/opam`. A plain directory is read
// lazily, per name, on first use (`packages/<name>/`, as opam-monorepo 0.4.3 reads it): a cold
// open reads nothing, and the index cache grows from what was read; warm answers come from the
// cache, each name revalidated against its files on first use. A git checkout (trusted: its commit
// pins the files) is read whole on a cold open (cold-parse.ts) and the index cache written.
import { statSync } from "node:fs";
import path from "node:path";
import { UserError } from "../core/errors.js";
import { openIndexed } from "./indexed.js";
import { groupByName, type TableEntry, type TableSource } from "./table-entry.js";
import { defaultThreads, parseTree } from "./cold-parse.js";
import { fileStamp } from "./file-read.js";
import { entryBytes, readFileEntry } from "./opam-text.js";
import type { OpenDeps, Repository } from "./repository.js";
import { isPackageName, versionOfDir } from "./layout.js";
import { packageDirNames, versionDirs } from "./tree.js";

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

/** Fails unless `root` is a directory holding `packages/`. */
function checkRepositoryRoot(root: string, url: string): void {
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

/**
 * The package names of a small tree (an overlay), listed once: a stack asks every member for
 * every name it reaches, and a name an overlay lacks then costs no system call. Undefined for a
 * large tree (opam-repository: listing it costs more than asking for its names one by one), and
 * where a directory's link count does not tell how many subdirectories it has.
 */
function smallTreeNames(packagesDir: string, listNames: () => string[]): ReadonlySet<string> | undefined {
  const links = statSync(packagesDir, { throwIfNoEntry: false })?.nlink ?? 0;
  return links >= 2 && links - 2 <= SMALL_TREE ? new Set(listNames()) : undefined;
}

/** Package directories a tree may have to be listed whole (opam-overlays has ~80). */
const SMALL_TREE = 400;

function treeSource(packagesDir: string, revalidate: boolean): TableSource {
  let names: string[] | undefined;
  let small: ReadonlySet<string> | undefined | null = null;
  const listNames = () => (names ??= packageDirNames(packagesDir));
  const reparse = (name: string, version: string): Buffer | undefined => {
    const read = readFileEntry(path.join(packagesDir, name, `${name}.${version}`, "opam"));
    return read === undefined ? undefined : entryBytes(read);
  };
  const refresh = (name: string, cached: readonly TableEntry[] | undefined): TableEntry[] => {
    const out: TableEntry[] = [];
    // Names also come from lock files (`why`): only those a repository can hold make a path.
    if (!isPackageName(name)) return out;
    if (small === null) small = smallTreeNames(packagesDir, listNames);
    if (small !== undefined && !small.has(name)) return out;
    for (const [version, file] of versionDirs(packagesDir, name)) {
      const known = cached?.find((entry) => entry.version === version);
      // A version the cache does not know is read at once (its stamp comes with the read).
      const stamp = known === undefined ? undefined : fileStamp(file);
      if (known !== undefined && known.stamp === stamp) out.push(known);
      else if (known === undefined || stamp !== undefined) {
        const read = readFileEntry(file);
        if (read !== undefined) out.push({ version, ...read });
      }
    }
    return out;
  };
  const probe = (name: string, version: string, cached: TableEntry | undefined): TableEntry | "no-name" | undefined => {
    // Names and versions come from lock files: only those a repository can hold make a path.
    if (!isPackageName(name) || versionOfDir(name, `${name}.${version}`) !== version) return undefined;
    const file = path.join(packagesDir, name, `${name}.${version}`, "opam");
    const stamp = fileStamp(file);
    if (stamp === undefined) return statSync(path.join(packagesDir, name), { throwIfNoEntry: false })?.isDirectory() ? undefined : "no-name";
    if (cached !== undefined && cached.stamp === stamp) return cached;
    const read = readFileEntry(file);
    return read === undefined ? undefined : { version, ...read };
  };
  return {
    reparse,
    listNames,
    ...(revalidate ? { refresh, probe } : {}),
  };
}

/** Opens a repository tree, through the index cache when it is valid. */
export async function openTree(options: TreeOptions, deps: OpenDeps): Promise<Repository> {
  checkRepositoryRoot(options.root, options.url);
  const packagesDir = path.join(options.root, "packages");
  const useWorker = (deps.threads ?? defaultThreads()) > 1;
  // Revalidation reads a name's files when the index does not know them: nothing to read up front.
  const cold = options.revalidate ? async () => new Map<string, TableEntry[]>() : async () => groupByName(parseTree(packagesDir, useWorker).texts);
  return openIndexed({ ...options, source: treeSource(packagesDir, options.revalidate), cold }, deps);
}

/** A local directory repository (`file://` URL or path). */
export async function openDirectory(spec: { path: string; url?: string; label?: string }, deps: OpenDeps): Promise<Repository> {
  const root = path.resolve(spec.path);
  const url = spec.url ?? `file://${root}`;
  const label = spec.label ?? path.basename(root);
  return openTree({ root, label, url, commit: undefined, identity: `directory:${root}`, stamp: "", revalidate: true }, deps);
}
