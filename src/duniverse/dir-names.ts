// PURE: which directory names of x-opam-monorepo-duniverse-dirs pull accepts. opam-monorepo
// derives a name from a dev-repo's last path segment (leading dots dropped, cut at the first dot,
// `dune` → `dune_`): one plain path component. We accept one component that is not hidden.
import path from "node:path";
import { pathIsInside } from "../core/fs.js";
import { duniverseFiles } from "./files.js";

/** The longest file name most filesystems take (bytes of UTF-8). */
const MAX_NAME_BYTES = 255;

/**
 * Why `name` cannot be a duniverse directory, or undefined when it can. Names that leave
 * duniverse/ (`""`, `.`, `..`, absolute) are the caller's to report first (the reference's message).
 * - one path component: `a/b` would vendor one repository inside another's directory;
 * - no leading `.`: hidden names are this tool's own (`.opam-monorepo-tmp-…`), never a dev-repo's;
 * - not `dune` or `README.md` (in any case): pull writes those files in duniverse/;
 * - no control characters, no `\`; at most 255 bytes.
 * A leading `-` is accepted (a dev-repo may produce it); names only ever reach other programs
 * inside absolute paths.
 */
export function dirNameProblem(name: string): string | undefined {
  if (name.includes("/")) return "a directory name must be a single path component (no `/`): one repository would be vendored inside another's directory";
  if (name.startsWith(".")) return "a directory name must not start with `.` (hidden names are reserved for opam-monorepo's own files)";
  if (duniverseFiles().some((file) => file.name.toLowerCase() === name.toLowerCase())) return `\`${name}\` is a file that pull writes in duniverse/`;
  if (/[\u0000-\u001f\u007f\\]/.test(name)) return "a directory name must not contain control characters or `\\`";
  if (Buffer.byteLength(name, "utf8") > MAX_NAME_BYTES) return `a directory name must be at most ${MAX_NAME_BYTES} bytes long`;
  return undefined;
}

/** True for the names `dirNameProblem` leaves to the "not inside duniverse/" check. */
export function leavesDuniverse(name: string): boolean {
  return !pathIsInside(path.resolve("/duniverse", name), "/duniverse", true);
}

export interface DirEntryProblem<E> {
  entry: E;
  problem: string;
}

/**
 * Every problem of a list of directory entries, in list order: bad names, then names used twice
 * (compared without case: one directory on macOS and Windows filesystems).
 */
export function dirListProblems<E extends { dir: string; url: string }>(entries: readonly E[]): DirEntryProblem<E>[] {
  const problems: DirEntryProblem<E>[] = [];
  const seen = new Map<string, E>();
  for (const entry of entries) {
    if (leavesDuniverse(entry.dir)) continue;
    const problem = dirNameProblem(entry.dir);
    if (problem !== undefined) {
      problems.push({ entry, problem });
      continue;
    }
    const key = entry.dir.toLowerCase();
    const first = seen.get(key);
    if (first === undefined) seen.set(key, entry);
    else if (first.dir === entry.dir) problems.push({ entry, problem: `${first.url} is vendored into this directory too` });
    else problems.push({ entry, problem: `the same directory as "${first.dir}" (${first.url}) on case-insensitive filesystems` });
  }
  return problems;
}
