// What a re-lock changed against the previous lock file: versions moved, packages added and
// removed (pure), and the lines `lock` prints for it. No I/O.
import type { Lockfile } from "../lockfile/model.js";
import { compareVersions } from "../opam/version.js";
import { bytewise } from "../core/compare.js";

export interface VersionChange {
  name: string;
  from: string;
  to: string;
}

export interface LockChanges {
  /** There was a readable lock file before. */
  previous: boolean;
  /** The new text is byte-identical to the old one (the file was not rewritten). */
  unchanged: boolean;
  upgraded: VersionChange[];
  downgraded: VersionChange[];
  added: { name: string; version: string }[];
  removed: { name: string; version: string }[];
}

/** Compares the locked packages of `previous` and `next` (by name, sorted by name). */
export function lockChanges(previous: Lockfile | undefined, next: Lockfile, unchanged: boolean): LockChanges {
  const changes: LockChanges = { previous: previous !== undefined, unchanged, upgraded: [], downgraded: [], added: [], removed: [] };
  if (previous === undefined) return changes;
  const before = new Map(previous.depends.map((dependency) => [dependency.name, dependency.version]));
  const after = new Map(next.depends.map((dependency) => [dependency.name, dependency.version]));
  for (const [name, version] of [...after].sort(byName)) {
    const old = before.get(name);
    if (old === undefined) changes.added.push({ name, version });
    else if (old !== version) (compareVersions(version, old) > 0 ? changes.upgraded : changes.downgraded).push({ name, from: old, to: version });
  }
  for (const [name, version] of [...before].sort(byName)) {
    if (!after.has(name)) changes.removed.push({ name, version });
  }
  return changes;
}

function byName(a: [string, string], b: [string, string]): number {
  return bytewise(a[0], b[0]);
}

const SHOWN = 25;

/**
 * The message `lock` prints after writing: nothing for a first lock, "unchanged", or a count
 * line followed by one line per change (`ocaml 5.2.1 → 4.14.2`, `added x 1.0`, `removed y 2.0`),
 * the first 25 unless `all`.
 */
export function changesMessage(changes: LockChanges, all: boolean): string | undefined {
  if (!changes.previous || changes.unchanged) return undefined;
  const counts = [
    [changes.upgraded.length, "upgraded"],
    [changes.downgraded.length, "downgraded"],
    [changes.added.length, "added"],
    [changes.removed.length, "removed"],
  ] as const;
  const parts = counts.filter(([count]) => count > 0).map(([count, word]) => `${count} ${word}`);
  if (parts.length === 0) return "No package version changed (the lock file's sources, repositories or options did).";
  const lines = [
    ...[...changes.upgraded, ...changes.downgraded].sort((a, b) => bytewise(a.name, b.name)).map((c) => `${c.name} ${c.from} → ${c.to}`),
    ...changes.added.map((p) => `added ${p.name} ${p.version}`),
    ...changes.removed.map((p) => `removed ${p.name} ${p.version}`),
  ];
  const shown = all ? lines : lines.slice(0, SHOWN);
  if (shown.length < lines.length) shown.push(`… ${lines.length - shown.length} more (-v shows all)`);
  return `Changes against the previous lock file: ${parts.join(", ")}\n${shown.map((line) => `      ${line}`).join("\n")}`;
}
