// A git repository (`git+https://…`, `git+file://…`, `#<branch|tag|commit>`) fetched with the
// system git into `<cache>/repos/<digest of URL>/` on every open (a shallow fetch of one ref,
// cheap when nothing changed), checked out at the fetched commit and read as a directory whose
// index cache is keyed by that commit.
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { isUserError, UserError } from "../core/errors.js";
import { runCommand } from "../core/exec.js";
import { sha256Hex } from "../core/digest.js";
import { siblingTempPath } from "../core/fs.js";
import { checkGitRef, checkGitUrl, GIT_SAFE_CONFIG } from "../core/git-safety.js";
import { openTree } from "./directory.js";
import { withLock } from "./lock.js";
import type { OpenDeps, Repository } from "./repository.js";

export interface GitLocation {
  /** What git is given: the URL without `git+` and without the fragment. */
  transport: string;
  /** The `#` fragment: a branch, tag or commit; undefined for the remote HEAD. */
  ref: string | undefined;
}

export function parseGitUrl(url: string): GitLocation {
  const hash = url.indexOf("#");
  const base = hash === -1 ? url : url.slice(0, hash);
  const ref = hash === -1 || hash === url.length - 1 ? undefined : url.slice(hash + 1);
  return { transport: base.startsWith("git+") ? base.slice(4) : base, ref };
}

/** `git+<transport>#<commit>`: the URL the lock file records. */
export function pinnedGitUrl(url: string, commit: string): string {
  const hash = url.indexOf("#");
  const base = hash === -1 ? url : url.slice(0, hash);
  return `${base.startsWith("git") ? base : `git+${base}`}#${commit}`;
}

type Git = (args: string[], cwd: string) => Promise<string>;

function gitRunner(url: string, env: NodeJS.ProcessEnv): Git {
  const gitEnv = { ...env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };
  return async (args, cwd) => {
    try {
      return (await runCommand("git", [...GIT_SAFE_CONFIG, ...args], { cwd, env: gitEnv, errorCode: "REPO_UNREACHABLE" })).stdout.trim();
    } catch (error) {
      if (!isUserError(error)) throw error;
      throw new UserError("REPO_UNREACHABLE", `could not fetch repository ${url}: ${error.message}`, {
        hint: "check the URL and your network access, or use a local copy of the repository",
      });
    }
  };
}

/** Fetches `ref` (or HEAD) and returns the commit it names. */
async function fetchCommit(git: Git, dir: string, ref: string | undefined): Promise<string> {
  try {
    await git(["fetch", "--quiet", "--depth=1", "--no-tags", "--", "origin", ref ?? "HEAD"], dir);
    return await git(["rev-parse", "--verify", "--end-of-options", "FETCH_HEAD^{commit}"], dir);
  } catch (error) {
    if (ref === undefined || !/^[0-9a-f]{4,40}$/iu.test(ref)) throw error;
  }
  // An abbreviated commit: fetch every branch and tag, then resolve it locally.
  const shallow = (await git(["rev-parse", "--is-shallow-repository"], dir)) === "true";
  const refspecs = ["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"];
  await git(["fetch", "--quiet", ...(shallow ? ["--unshallow"] : []), "--", "origin", ...refspecs], dir);
  return git(["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`], dir);
}

async function updateCheckout(git: Git, dir: string, location: GitLocation): Promise<string> {
  if (!existsSync(path.join(dir, ".git"))) {
    const temp = siblingTempPath(dir);
    await mkdir(temp, { recursive: true });
    try {
      await git(["init", "--quiet"], temp);
      await git(["remote", "add", "--", "origin", location.transport], temp);
      await rm(dir, { recursive: true, force: true });
      await rename(temp, dir);
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      throw error;
    }
  }
  await git(["remote", "set-url", "--", "origin", location.transport], dir);
  const commit = await fetchCommit(git, dir, location.ref);
  const head = await git(["rev-parse", "--verify", "--quiet", "HEAD"], dir).catch(() => "");
  if (head !== commit) await git(["checkout", "--quiet", "--force", "--detach", commit, "--"], dir);
  return commit;
}

/** The checkout directory of a git URL under the cache. */
function gitCheckoutDir(cacheDir: string, url: string): string {
  return path.join(cacheDir, "repos", sha256Hex(url).slice(0, 24));
}

/** Fetches and opens a git repository; the result records the commit. */
export async function openGit(spec: { url: string; label?: string }, deps: OpenDeps): Promise<Repository> {
  const location = parseGitUrl(spec.url);
  const where = `the repository ${spec.url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@#?]*@/iu, "$1")}`;
  checkGitUrl(location.transport, where);
  if (location.ref !== undefined) checkGitRef(location.ref, where);
  const dir = gitCheckoutDir(deps.cacheDir, spec.url);
  const git = gitRunner(spec.url, deps.env ?? process.env);
  deps.reporter?.info(`Fetching repository ${spec.url}`);
  const label = spec.label ?? spec.url.replace(/#.*$/u, "");
  deps.onProgress?.({ kind: "fetch", label });
  // Held while reading too, so no other process moves the checkout under a cold parse.
  return withLock(`${dir}.lock`, async () => {
    const commit = await updateCheckout(git, dir, location);
    const url = pinnedGitUrl(spec.url, commit);
    return openTree({ root: dir, label, url, commit, identity: `git:${spec.url}`, stamp: commit, revalidate: false }, deps);
  });
}
