// PURE: turns a solved set of packages into duniverse repositories (grouped by normalised
// dev-repo, one directory each, named from the dev-repo) and detects directory clashes.
// No filesystem, no network: git ref resolution is a function the caller passes in.
import { mapConcurrent } from "../core/concurrency.js";
import { UserError } from "../core/errors.js";
import { DUNIVERSE_DIR } from "../core/paths.js";
import { dirListProblems } from "./dir-names.js";
import { formatChecksum } from "../opam/checksum.js";
import { isSafePackage, type OpamPackage } from "../opam/package.js";
import { formatUrl, normaliseDevRepo, parseUrl, urlWithoutFragment } from "../opam/url.js";
import { compareVersions } from "../opam/version.js";
import { bytewise } from "../core/compare.js";
import { compareOpamNames } from "../opam/names.js";

/** A package id split in two: `name.version`. */
export interface PackageRef {
  name: string;
  version: string;
}

/** One directory of `duniverse/`: a single source (archive URL or `git+…#commit`). */
export interface DuniverseRepo {
  /** Directory name under `duniverse/` (e.g. `dune_`, `ocaml-uri`). */
  dir: string;
  /** The source URL: an archive URL, or `git+<transport>://…#<commit>`. */
  url: string;
  /** Checksums as written in opam files: `sha256=<hex>`, `sha512=<hex>`, `md5=<hex>`. */
  hashes: string[];
  /** The opam packages this source provides, sorted by name. */
  provides: PackageRef[];
}

// ---- Planning ------------------------------------------------------------------------------------

/** One package of the solution, as `lock` hands it over. */
export interface DependencyEntry {
  package: OpamPackage;
  /** In the vendored set of the solve (§4.6); safe packages are dropped whatever this says. */
  vendored: boolean;
  /** Pinned (switch pin or pin-depends): its URL wins when a repository's packages disagree. */
  pinned: boolean;
}

/** A duniverse repository before git refs are resolved to commits. */
export interface PlannedRepo {
  dir: string;
  /** An archive URL, or a git URL (`#ref` when the opam file names one) that resolveDuniverse pins. */
  url: string;
  git: boolean;
  hashes: string[];
  /** Sorted by name. */
  provides: PackageRef[];
  /** The dev-repo strings of the packages, as written, sorted. */
  devRepos: string[];
}

export interface DuniversePlan {
  /** Sorted by directory. */
  repos: PlannedRepo[];
  /** Warnings to show (packages without dev-repo, packages of one repository with different URLs). */
  warnings: string[];
}

interface Candidate {
  ref: PackageRef;
  devRepo: string;
  url: string;
  git: boolean;
  hashes: string[];
  pinned: boolean;
}

const compareRefs = (a: PackageRef, b: PackageRef): number => compareOpamNames(a.name, b.name) || compareVersions(a.version, b.version);
const idOf = (ref: PackageRef): string => `${ref.name}.${ref.version}`;

const REPO_NAME = /\/?\.*([^./]+)(?:\.[^/]*)?\/*$/;

/**
 * The path of a URI (RFC 3986 appendix B): scheme, authority, query and fragment dropped. opam's
 * `file://` URLs have no authority: a dev-repo without a scheme (`"fmt"`, `"../src/fmt"`) is a
 * local path, `file://fmt`, whose last component names the directory as in the reference.
 */
function uriPath(uri: string): string {
  if (uri.startsWith("file://")) return uri.slice("file://".length).replace(/[?#].*$/s, "");
  const match = /^(?:[^:/?#]+:)?(?:\/\/[^/?#]*)?([^?#]*)/.exec(uri);
  return match?.[1] ?? "";
}

/**
 * The directory name of a dev-repo (opam-monorepo's Dev_repo.repo_name): the last path segment,
 * leading dots dropped, cut at the first dot; `dune` becomes `dune_`.
 */
export function dirNameOfDevRepo(devRepo: string): string {
  const match = REPO_NAME.exec(uriPath(devRepo));
  if (match === null) {
    throw new UserError("DEV_REPO_INVALID", `unexpected empty string while computing name for dev_repo: "${devRepo}"`);
  }
  return match[1] === "dune" ? "dune_" : match[1]!;
}

function candidateOf(entry: DependencyEntry): Candidate | string | undefined {
  const pkg = entry.package;
  const ref = { name: pkg.name, version: pkg.version };
  if (!entry.vendored || isSafePackage(pkg) || pkg.url === undefined) return undefined;
  if (pkg.devRepo === undefined || pkg.devRepo.raw.trim() === "") {
    return `Package ${idOf(ref)} has no dev-repo specified, but it needs a dev-repo to be successfully included in the duniverse.`;
  }
  const src = pkg.url.src;
  const git = src.backend === "git";
  const hashes = pkg.url.checksums.map(formatChecksum);
  return { ref, devRepo: formatUrl(pkg.devRepo), url: formatUrl(src), git, hashes, pinned: entry.pinned };
}

/** The distinct URLs of a group with their hashes (hash lists of one URL are merged). */
function urlsOf(group: readonly Candidate[]): Map<string, string[]> {
  const urls = new Map<string, string[]>();
  for (const candidate of group) urls.set(candidate.url, [...new Set([...(urls.get(candidate.url) ?? []), ...candidate.hashes])]);
  return urls;
}

function listing(group: readonly Candidate[]): string {
  return group.map((candidate) => `${idOf(candidate.ref)}: ${candidate.url}`).join("\n");
}

/** One URL for a group: the only one, one archive under several URLs (a shared checksum), or the pinned one. */
function chooseUrl(devRepo: string, group: readonly Candidate[], warnings: string[]): { url: string; git: boolean; hashes: string[] } {
  const urls = urlsOf(group);
  const [first] = [...urls.keys()].sort(bytewise);
  const pick = (url: string) => ({ url, git: group.find((c) => c.url === url)!.git, hashes: urls.get(url)! });
  if (urls.size === 1) return pick(first!);
  const hashLists = [...urls.values()];
  if (hashLists[0]!.some((hash) => hashLists.every((hashes) => hashes.includes(hash)))) return pick(first!);
  const pinned = group.filter((candidate) => candidate.pinned);
  if (pinned.length > 0) {
    warnings.push(
      `The following packages come from the same repository ${devRepo} but are associated with different URLs:\n${listing(group)}\nThe URL for the pinned package(s) was selected: ${listing(pinned)}`,
    );
    return pick(pinned[0]!.url);
  }
  throw new UserError(
    "DUNIVERSE_URL_CONFLICT",
    `The following packages come from the same repository ${devRepo} but are using different archives:\n${listing(group)}\nThey would all be vendored into one directory, from a single archive.`,
    { hint: "constrain them to versions released together (from the same archive), or pin one of them to the source to use" },
  );
}

function repoOfGroup(group: Candidate[], warnings: string[]): PlannedRepo {
  group.sort((a, b) => compareRefs(a.ref, b.ref));
  const devRepos = [...new Set(group.map((candidate) => candidate.devRepo))].sort(bytewise);
  const dir = dirNameOfDevRepo(devRepos[0]!);
  const { url, git, hashes } = chooseUrl(devRepos[0]!, group, warnings);
  return { dir, url, git, hashes, provides: group.map((candidate) => candidate.ref), devRepos };
}

function checkDirClashes(repos: readonly PlannedRepo[]): void {
  const byDir = new Map<string, PlannedRepo[]>();
  for (const repo of repos) byDir.set(repo.dir, [...(byDir.get(repo.dir) ?? []), repo]);
  for (const dir of [...byDir.keys()].sort(bytewise)) {
    const clashing = byDir.get(dir)!;
    if (clashing.length < 2) continue;
    const devRepos = clashing.flatMap((repo) => repo.devRepos).sort(bytewise).reverse();
    throw new UserError(
      "DUNIVERSE_DIR_CLASH",
      `Multiple dev-repos would be vendored into the directory: ${DUNIVERSE_DIR}/${dir}\nDev-repos:\n${devRepos.map((d) => `- ${d}`).join("\n")}`,
    );
  }
}

/** Directory names pull would refuse (dir-names.ts) fail the lock, not the pull of its lock file. */
function checkDirNames(repos: readonly PlannedRepo[]): void {
  const problems = dirListProblems(repos.map((repo) => ({ dir: repo.dir, url: repo.devRepos[0]! })));
  if (problems.length === 0) return;
  const lines = problems.map(({ entry, problem }) => `  ${DUNIVERSE_DIR}/${entry.dir} (dev-repo ${entry.url}): ${problem}`);
  throw new UserError("DUNIVERSE_DIR_INVALID", `These repositories cannot be vendored into the directories their dev-repos name:\n${lines.join("\n")}`, {
    hint: "duniverse/ needs one directory per repository, also on filesystems that ignore case (macOS, Windows); pin one of them to a fork with another name",
  });
}

/**
 * The duniverse of a solution: vendored, non-safe packages grouped by normalised dev-repo, one
 * directory and one source URL per group. Packages without a dev-repo are skipped with a warning.
 */
export function planDuniverse(entries: readonly DependencyEntry[]): DuniversePlan {
  const warnings: string[] = [];
  const groups = new Map<string, Candidate[]>();
  for (const entry of entries) {
    const candidate = candidateOf(entry);
    if (typeof candidate === "string") warnings.push(candidate);
    if (typeof candidate !== "object") continue;
    const key = normaliseDevRepo(candidate.devRepo);
    groups.set(key, [...(groups.get(key) ?? []), candidate]);
  }
  const keys = [...groups.keys()].sort(bytewise);
  const repos = keys.map((key) => repoOfGroup(groups.get(key)!, warnings));
  checkDirClashes(repos);
  checkDirNames(repos);
  return { repos: repos.sort((a, b) => bytewise(a.dir, b.dir)), warnings };
}

/** Resolves a git URL (`git+https://h/r.git#ref`, or without `#ref` for the default branch) to a commit. */
export type ResolveRef = (url: string) => Promise<string>;

/** Pin every git repository of the plan to a commit (`<url without #ref>#<commit>`), 24 lookups at a time. */
export async function resolveDuniverse(repos: readonly PlannedRepo[], resolveRef: ResolveRef, jobs = 24): Promise<DuniverseRepo[]> {
  const settled = await mapConcurrent(repos, jobs, async (repo): Promise<DuniverseRepo> => {
    const { dir, hashes, provides } = repo;
    if (!repo.git) return { dir, url: repo.url, hashes, provides };
    const commit = await resolveRef(repo.url);
    return { dir, url: `${urlWithoutFragment(parseUrl(repo.url))}#${commit}`, hashes, provides };
  });
  const failed = settled.find((result) => !result.ok);
  if (failed !== undefined && !failed.ok) throw failed.error;
  return settled.map((result) => (result as { ok: true; value: DuniverseRepo }).value);
}
