// Git sources (`git+https://…#<commit>`, `git+file://…#<commit>`) that need a repository in the
// pulled directory (--keep-git-dir, submodules): fetch exactly that commit with the system git
// (from the git store, see git-store.ts) into a fresh directory, check it out, and update
// submodules recursively. Never prompts; refs validated and `--` before operands; never writes
// outside the directory it is given.
import { access, mkdir } from "node:fs/promises";
import path from "node:path";
import { UserError } from "../core/errors.js";
import { runCommand } from "../core/exec.js";
import { checkGitUrl, GIT_SAFE_CONFIG } from "../core/git-safety.js";
import { checkRef } from "./git-store.js";
import { redactUrl } from "./source.js";

export interface GitFetch {
  /** Transport URL (`https://…`, `file://…`, `ssh://…`). */
  remote: string;
  /** Commit (or, for hand-written lock files, a branch or tag); undefined = the default branch. */
  ref: string | undefined;
  /** The locked URL, for messages. */
  label: string;
}

const FULL_COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/i;

function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "", LC_ALL: "C" };
}

async function git(dir: string, args: string[], label: string, config: string[] = []): Promise<string> {
  const configArgs = config.flatMap((entry) => ["-c", entry]);
  try {
    return (await runCommand("git", [...GIT_SAFE_CONFIG, ...configArgs, "-C", dir, ...args], { env: gitEnv(), errorCode: "GIT_FAILED" })).stdout;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UserError("GIT_FAILED", `Failed to fetch ${redactUrl(label)}: ${message}`, { cause: error });
  }
}

/**
 * Check out `source` into `dir` (absent or empty), fetching from `from` (a local git store
 * holding the commit) when given. `.git` is left for the caller to trim.
 */
export async function fetchGit(source: GitFetch, dir: string, from = source.remote): Promise<void> {
  checkGitUrl(source.remote, redactUrl(source.label));
  await mkdir(dir, { recursive: true });
  await git(dir, ["init", "-q"], source.label);
  const want = checkRef(source.ref, source.label) ?? "HEAD";
  try {
    await git(dir, ["fetch", "-q", "--no-tags", "--depth=1", "--", from, want], source.label);
  } catch (error) {
    if (!source.ref || !FULL_COMMIT.test(source.ref)) throw error;
    // Servers that refuse to serve an unadvertised commit: fetch every branch and tag instead.
    await git(dir, ["fetch", "-q", "--tags", "--", from, "+refs/heads/*:refs/remotes/origin/*"], source.label);
  }
  const target = source.ref && FULL_COMMIT.test(source.ref) ? source.ref : "FETCH_HEAD";
  await git(dir, ["checkout", "-q", "--detach", target, "--"], source.label, ["advice.detachedHead=false"]);
  if (source.ref && FULL_COMMIT.test(source.ref)) {
    const head = (await git(dir, ["rev-parse", "HEAD"], source.label)).trim();
    if (head.toLowerCase() !== source.ref.toLowerCase()) throw new UserError("GIT_FAILED", `Failed to fetch ${redactUrl(source.label)}: got commit ${head}, expected ${source.ref}`);
  }
  if (await exists(path.join(dir, ".gitmodules"))) {
    // Local (file://) sources may use local submodules; remote ones may not reach the disk.
    const config = /^file:/i.test(source.remote) ? ["protocol.file.allow=always"] : [];
    await git(dir, ["submodule", "update", "-q", "--init", "--recursive"], source.label, config);
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
