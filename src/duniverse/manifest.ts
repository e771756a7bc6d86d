// The pull manifest, `duniverse/.opam-monorepo-manifest.json`: for each duniverse directory a
// pull wrote, the source it came from (URL, checksums, git commit) and every entry it extracted
// (path, type, mode, size, times, sha256). Written by pull inside its transaction; read by the
// next pull (to keep unchanged directories) and by `verify`. Its content is untrusted on reading.
import { lstatSync, readFileSync } from "node:fs";
import path from "node:path";
import type { DuniverseRepo } from "./plan.js";
import type { EntryType, TreeEntry } from "./tree-scan.js";

export const MANIFEST_NAME = ".opam-monorepo-manifest.json";
export const MANIFEST_VERSION = 1;
const MAX_MANIFEST_BYTES = 512 << 20;

/** Where a directory came from: what must be equal for a pull to keep it. */
export interface RepoSource {
  url: string;
  /** `algo=hex`, sorted. */
  hashes: string[];
  /** The git commit of a git source (also in the URL's fragment). */
  commit?: string;
  /** Pulled with --keep-git-dir (`.git` and nested `duniverse/` kept). */
  keepGitDir: boolean;
}

export interface RepoRecord {
  source: RepoSource;
  entries: TreeEntry[];
}

export interface Manifest {
  version: number;
  repos: Record<string, RepoRecord>;
}

const FULL_COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/i;
const sorted = (values: readonly string[]): string[] => [...values].map((value) => value.trim().toLowerCase()).sort();

/** The source record of a locked repository. */
export function sourceRecord(repo: Pick<DuniverseRepo, "url" | "hashes">, keepGitDir: boolean): RepoSource {
  const fragment = repo.url.includes("#") ? repo.url.slice(repo.url.indexOf("#") + 1) : "";
  const commit = isGitUrl(repo.url) && FULL_COMMIT.test(fragment) ? fragment.toLowerCase() : undefined;
  return { url: repo.url, hashes: sorted(repo.hashes), ...(commit ? { commit } : {}), keepGitDir };
}

function isGitUrl(url: string): boolean {
  return /^git(\+|:)/i.test(url) || /^https?:\/\/[^#]*\.git\/?(#|$)/i.test(url);
}

/**
 * A source whose content cannot change under the same record: an archive with a checksum, or a
 * git commit. Anything else (no checksum, a branch, a local directory) is fetched every time.
 */
export function isPinnedSource(source: RepoSource): boolean {
  if (isGitUrl(source.url)) return source.commit !== undefined;
  return source.hashes.length > 0;
}

export function sameSource(a: RepoSource, b: RepoSource): boolean {
  return a.url === b.url && a.keepGitDir === b.keepGitDir && (a.commit ?? "") === (b.commit ?? "") && a.hashes.join(" ") === b.hashes.join(" ");
}

/** The manifest's text: one repository per line group, entries one per line (diffable). */
export function encodeManifest(manifest: Manifest): string {
  const dirs = Object.keys(manifest.repos).sort();
  const repos = dirs.map((dir) => {
    const { source, entries } = manifest.repos[dir]!;
    const lines = entries.map((entry) => `      ${JSON.stringify(entry)}`).join(",\n");
    return `    ${JSON.stringify(dir)}: {\n      "source": ${JSON.stringify(source)},\n      "entries": [\n${lines}\n      ]\n    }`;
  });
  return `{\n  "version": ${MANIFEST_VERSION},\n  "repos": {\n${repos.join(",\n")}\n  }\n}\n`;
}

export type ManifestRead = { kind: "absent" } | { kind: "invalid"; reason: string } | { kind: "ok"; manifest: Manifest };

/** The manifest of `duniverse` (a regular file, bounded, of the shape above), or why not. */
export function readManifest(duniverse: string): ManifestRead {
  const file = path.join(duniverse, MANIFEST_NAME);
  const info = lstatSync(file, { throwIfNoEntry: false });
  if (info === undefined) return { kind: "absent" };
  if (!info.isFile()) return { kind: "invalid", reason: "not a regular file" };
  if (info.size > MAX_MANIFEST_BYTES) return { kind: "invalid", reason: "larger than 512 MiB" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    return { kind: "invalid", reason: `not JSON (${(error as Error).message})` };
  }
  return decodeManifest(parsed);
}

export function decodeManifest(value: unknown): ManifestRead {
  const object = value as { version?: unknown; repos?: unknown } | null;
  if (typeof object !== "object" || object === null || Array.isArray(object)) return { kind: "invalid", reason: "not an object" };
  if (object.version !== MANIFEST_VERSION) return { kind: "invalid", reason: `version ${JSON.stringify(object.version)}, expected ${MANIFEST_VERSION}` };
  if (typeof object.repos !== "object" || object.repos === null || Array.isArray(object.repos)) return { kind: "invalid", reason: "no repos object" };
  const repos: Record<string, RepoRecord> = Object.create(null);
  for (const [dir, record] of Object.entries(object.repos)) {
    if (!isRecord(record)) return { kind: "invalid", reason: `bad record for ${JSON.stringify(dir)}` };
    repos[dir] = record;
  }
  return { kind: "ok", manifest: { version: MANIFEST_VERSION, repos } };
}

function isRecord(value: unknown): value is RepoRecord {
  const record = value as Partial<RepoRecord> | null;
  if (typeof record !== "object" || record === null || !Array.isArray(record.entries)) return false;
  const source = record.source as Partial<RepoSource> | undefined;
  if (typeof source !== "object" || source === null || typeof source.url !== "string" || typeof source.keepGitDir !== "boolean") return false;
  if (!Array.isArray(source.hashes) || !source.hashes.every((hash) => typeof hash === "string")) return false;
  if (source.commit !== undefined && typeof source.commit !== "string") return false;
  return record.entries.every(isEntry);
}

const TYPES: readonly EntryType[] = ["file", "symlink", "dir", "other"];
const optional = (value: unknown, type: "number" | "string") => value === undefined || typeof value === type;

function isEntry(value: unknown): value is TreeEntry {
  const entry = value as Partial<TreeEntry> | null;
  if (typeof entry !== "object" || entry === null || typeof entry.path !== "string" || typeof entry.mode !== "number") return false;
  if (!TYPES.includes(entry.type as EntryType)) return false;
  return optional(entry.size, "number") && optional(entry.mtimeMs, "number") && optional(entry.ctimeMs, "number") && optional(entry.sha256, "string") && optional(entry.target, "string");
}
