// Path-safety rules for archive entries, shared by the tar and zip checkers: no absolute paths,
// no `..`, no link target outside the destination, and no entry written through a symlink that
// an earlier entry created (the symlink-then-write trick). Pure: no filesystem access.
import path from "node:path";
import { UserError } from "../core/errors.js";

export interface EntryChecker {
  archive: string;
  /** Normalised paths of the symlinks seen so far. */
  symlinks: Set<string>;
}

export function newEntryChecker(archive: string): EntryChecker {
  return { archive, symlinks: new Set() };
}

function refuse(checker: EntryChecker, entry: string, why: string): UserError {
  return new UserError("ARCHIVE_UNSAFE", `${checker.archive}: refusing entry ${JSON.stringify(entry)}: ${why}`, {
    hint: "The archive tries to write outside its directory; it was not extracted.",
  });
}

/** A relative path of non-empty segments, none of them `.` or `..` (what `normalise` returns). */
const NORMALISED = /^(?!\.\.?(?:\/|$))[^/\\]+(?:\/(?!\.\.?(?:\/|$))[^/\\]+)*$/u;

/** Whether `entry` is already in the form `normalise` gives (the tree writer writes no other). */
export function isNormalisedPath(entry: string): boolean {
  return NORMALISED.test(entry) && !/^[a-zA-Z]:/.test(entry);
}

/** `./a//b/` → `a/b`; undefined for the archive root itself. Throws on escaping paths. */
function normalise(checker: EntryChecker, entry: string): string | undefined {
  // Most entries are already normalised: no splitting and joining for them.
  if (isNormalisedPath(entry)) return entry;
  const slashed = entry.replace(/\\/g, "/");
  if (slashed.startsWith("/") || /^[a-zA-Z]:/.test(slashed)) throw refuse(checker, entry, "absolute path");
  const parts = slashed.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) throw refuse(checker, entry, "path contains ..");
  return parts.length === 0 ? undefined : parts.join("/");
}

function checkNoSymlinkPrefix(checker: EntryChecker, entry: string, normalised: string): void {
  let index = normalised.indexOf("/");
  while (index !== -1) {
    if (checker.symlinks.has(normalised.slice(0, index))) throw refuse(checker, entry, `it would be written through the symlink ${normalised.slice(0, index)}`);
    index = normalised.indexOf("/", index + 1);
  }
}

/** Check an entry's own path; returns its normalised form. */
export function checkEntryPath(checker: EntryChecker, entry: string): string | undefined {
  const normalised = normalise(checker, entry);
  if (normalised !== undefined) {
    checkNoSymlinkPrefix(checker, entry, normalised);
    checker.symlinks.delete(normalised);
  }
  return normalised;
}

/** Check a symlink's or hard link's target, relative to the entry (symlink) or the root (hard link). */
export function checkLinkTarget(checker: EntryChecker, entry: string, target: string, kind: "symlink" | "hardlink"): void {
  const normalised = normalise(checker, entry) ?? "";
  if (target.startsWith("/") || /^[a-zA-Z]:/.test(target)) throw refuse(checker, entry, `${kind} to the absolute path ${target}`);
  if (kind === "hardlink") {
    const linked = normalise(checker, target);
    if (linked !== undefined) checkNoSymlinkPrefix(checker, target, linked);
    return;
  }
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(normalised), target));
  if (resolved === ".." || resolved.startsWith("../")) throw refuse(checker, entry, `symlink to ${target}, outside the archive`);
  checker.symlinks.add(normalised);
}
