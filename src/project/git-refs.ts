// Resolving git refs to commits from `git ls-remote` output (opam-monorepo lib/git.ml): pure
// parsers, plus a resolver that takes the command runner as a parameter (never spawns git itself).
import { UserError } from "../core/errors.js";
import { checkGitRef, checkGitUrl } from "../core/git-safety.js";
import { ocamlQuoted } from "./opam-values.js";

export { ocamlQuoted };

export interface LsRemoteLine {
  commit: string;
  ref: string;
}

/** Why a lookup failed, or the commit it found. `invalid` carries the exact message. */
export type CommitLookup =
  | { kind: "found"; commit: string }
  | { kind: "no-such-ref" }
  | { kind: "ambiguous" }
  | { kind: "invalid"; message: string };

export type BranchLookup = { kind: "branch"; branch: string } | { kind: "not-a-symref" } | { kind: "invalid"; message: string };

function blankSeparatedWords(line: string): string[] {
  return line.split(/[ \t\n\r\f]+/).filter((word) => word !== "");
}

/** One `<commit> <ref>` line; anything else is an error message. */
export function parseLsRemoteLine(line: string): LsRemoteLine | { kind: "invalid"; message: string } {
  const words = blankSeparatedWords(line);
  if (words.length !== 2) return { kind: "invalid", message: `Invalid git ls-remote output line: ${ocamlQuoted(line)}` };
  return { commit: words[0]!, ref: words[1]! };
}

/** stdout split into lines the way the reference does: empty output is `[""]`. */
export function outputLines(stdout: string): string[] {
  return (stdout.endsWith("\n") ? stdout.slice(0, -1) : stdout).split("\n");
}

/** More than 6 characters, all hexadecimal. */
export function looksLikeCommit(ref: string): boolean {
  return ref.length > 6 && /^[0-9a-fA-F]+$/.test(ref);
}

/** The commit of exactly `target`, preferring the peeled `target^{}` line of an annotated tag. */
function searchRef(target: string, lines: readonly LsRemoteLine[]): string | undefined {
  const peeled = lines.find((line) => line.ref === `${target}^{}`);
  return peeled?.commit ?? lines.find((line) => line.ref === target)?.commit;
}

/** The commit `ref` designates in `git ls-remote <remote> <ref> <ref>^{}` output. */
export function commitPointedBy(ref: string, output: readonly string[]): CommitLookup {
  if (output.length === 1 && output[0] === "") {
    return looksLikeCommit(ref) ? { kind: "found", commit: ref } : { kind: "no-such-ref" };
  }
  const lines: LsRemoteLine[] = [];
  for (const text of output) {
    const parsed = parseLsRemoteLine(text);
    if ("kind" in parsed) return parsed;
    lines.push(parsed);
  }
  const matches = ["", "refs/tags/", "refs/heads/"]
    .map((prefix) => searchRef(prefix + ref, lines))
    .filter((commit): commit is string => commit !== undefined);
  if (matches.length > 1) return { kind: "ambiguous" };
  if (matches.length === 1) return { kind: "found", commit: matches[0]! };
  if (lines.some((line) => line.commit === ref) || looksLikeCommit(ref)) return { kind: "found", commit: ref };
  return { kind: "no-such-ref" };
}

/** The branch `symref` (usually `HEAD`) points to, from `git ls-remote --symref <remote> HEAD`. */
export function branchOfSymref(symref: string, output: readonly string[]): BranchLookup {
  const targets: string[] = [];
  for (const line of output) {
    const words = blankSeparatedWords(line);
    if (words.length === 3 && words[0] === "ref:" && words[2] === symref) targets.push(words[1]!);
  }
  if (targets.length === 0) return { kind: "not-a-symref" };
  if (targets.length > 1) {
    return { kind: "invalid", message: "Invalid `git ls-remote --symref` output. Too many lines starting by `ref:`." };
  }
  const target = targets[0]!;
  if (!target.startsWith("refs/heads/")) {
    return { kind: "invalid", message: `Invalid \`git ls-remote --symref\` output. Failed to extract branch from ref \`${target}\`.` };
  }
  return { kind: "branch", branch: target.slice("refs/heads/".length) };
}

/** The remote git is given: the URL without a leading `git+` (`git+https://…` → `https://…`). */
export function gitRemote(repo: string): string {
  const plus = repo.indexOf("+");
  return plus >= 0 && repo.slice(0, plus) === "git" ? repo.slice(plus + 1) : repo;
}

/** Runs `git <args>` and returns its stdout; throws on failure. */
export type GitRunner = (args: string[]) => Promise<string>;

/** A full SHA-1 or SHA-256 object name: no need to ask the remote. */
function isFullCommit(ref: string): boolean {
  return /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(ref);
}

async function defaultBranch(remote: string, run: GitRunner): Promise<string> {
  const result = branchOfSymref("HEAD", outputLines(await run(["ls-remote", "--symref", "--", remote, "HEAD"])));
  switch (result.kind) {
    case "branch":
      return result.branch;
    case "not-a-symref":
      throw new UserError("GIT_FAILED", `unable to parse \`git ls-remote --symref ${remote} HEAD\` output: not a symref.`);
    case "invalid":
      throw new UserError("GIT_FAILED", result.message);
  }
}

async function commitOf(remote: string, ref: string, run: GitRunner): Promise<string> {
  const result = commitPointedBy(ref, outputLines(await run(["ls-remote", "--", remote, ref, `${ref}^{}`])));
  switch (result.kind) {
    case "found":
      return result.commit;
    case "ambiguous":
      throw new UserError("GIT_FAILED", `A branch and a tag share the name ${ref} on the remote ${remote}`);
    case "no-such-ref":
      throw new UserError("GIT_FAILED", `No ${ref} ref for ${remote}`);
    case "invalid":
      throw new UserError("GIT_FAILED", result.message);
  }
}

/**
 * A `resolveRef(url)` for duniverse planning: `git+https://h/r.git#v1.0` → the commit `v1.0`
 * designates; without `#ref`, the commit of the remote's default branch. Lookups of the same
 * URL are made once.
 */
export function makeRefResolver(run: GitRunner): (url: string) => Promise<string> {
  const inFlight = new Map<string, Promise<string>>();
  return (url: string) => {
    let pending = inFlight.get(url);
    if (pending === undefined) {
      pending = resolveUrl(url, run);
      inFlight.set(url, pending);
    }
    return pending;
  };
}

async function resolveUrl(url: string, run: GitRunner): Promise<string> {
  const hash = url.indexOf("#");
  const remote = gitRemote(hash < 0 ? url : url.slice(0, hash));
  const ref = hash < 0 ? undefined : url.slice(hash + 1);
  checkGitUrl(remote, url);
  if (ref !== undefined) checkGitRef(ref, url);
  if (ref !== undefined && isFullCommit(ref)) return ref;
  return commitOf(remote, ref ?? (await defaultBranch(remote, run)), run);
}
