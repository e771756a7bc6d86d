// The git store beside the download cache: one bare repository per remote,
// `<cache>/opam-monorepo-git/<sha256 of the remote, 32 hex>.git`, holding the locked commits
// (each kept by a ref `refs/opam-monorepo/<commit>`). A pull fetches only a commit the store lacks
// and checks it out into its staging directory without a clone; offline, the store is all there is.
// Every git call: refs validated (never an option), `--` before operands, no prompts.
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { UserError } from "../core/errors.js";
import { runCommand } from "../core/exec.js";
import { checkGitRef, checkGitUrl, GIT_SAFE_CONFIG } from "../core/git-safety.js";
import { redactUrl } from "./source.js";

export const GIT_STORE_DIR = "opam-monorepo-git";
export const FULL_COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

export interface StoreFetch {
  /** Transport URL (`https://…`, `file://…`, `ssh://…`). */
  remote: string;
  /** Commit, branch or tag; undefined = the default branch. */
  ref: string | undefined;
  /** The locked URL, for messages. */
  label: string;
}

export function gitStorePath(cacheDir: string, remote: string): string {
  return path.join(cacheDir, GIT_STORE_DIR, `${createHash("sha256").update(remote).digest("hex").slice(0, 32)}.git`);
}

/** The ref, lower-cased when it is a commit; refuses anything git could read as an option. */
export function checkRef(ref: string | undefined, label: string): string | undefined {
  if (ref === undefined) return undefined;
  if (FULL_COMMIT.test(ref.toLowerCase())) return ref.toLowerCase();
  return checkGitRef(ref, redactUrl(label));
}

function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "", LC_ALL: "C" };
  for (const name of ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES"]) delete env[name];
  return env;
}

async function git(args: string[], label: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    return (await runCommand("git", [...GIT_SAFE_CONFIG, ...args], { env: { ...gitEnv(), ...extraEnv }, errorCode: "GIT_FAILED" })).stdout;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UserError("GIT_FAILED", `Failed to fetch ${redactUrl(label)}: ${message}`, { cause: error });
  }
}

async function hasCommit(store: string, commit: string): Promise<boolean> {
  if (!existsSync(path.join(store, "HEAD"))) return false;
  return git([`--git-dir=${store}`, "cat-file", "-e", `${commit}^{commit}`], store).then(
    () => true,
    () => false,
  );
}

/** Create the bare repository whole (initialised aside, then renamed) unless it exists. */
async function ensureStore(store: string, label: string): Promise<void> {
  if (existsSync(path.join(store, "HEAD"))) return;
  await mkdir(path.dirname(store), { recursive: true });
  const temp = `${store}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  await git(["init", "-q", "--bare", "--", temp], label);
  await rename(temp, store).catch(() => rm(temp, { recursive: true, force: true }));
}

/** One fetch per store at a time in this process (git locks its refs and shallow file). */
const queues = new Map<string, Promise<unknown>>();
function serialised<T>(store: string, run: () => Promise<T>): Promise<T> {
  const result = (queues.get(store) ?? Promise.resolve()).then(run, run);
  queues.set(store, result.catch(() => undefined));
  return result;
}

export interface StoreResult {
  commit: string;
  /** A fetch was needed (false: the store already had the commit). */
  fetched: boolean;
}

/** The locked commit in the store of `source.remote`, fetched only when missing. */
export function ensureStoreCommit(cacheDir: string, source: StoreFetch, offline: boolean): Promise<StoreResult> {
  const store = gitStorePath(cacheDir, source.remote);
  const ref = checkRef(source.ref, source.label);
  checkGitUrl(source.remote, redactUrl(source.label));
  return serialised(store, async () => {
    if (ref !== undefined && FULL_COMMIT.test(ref) && (await hasCommit(store, ref))) return { commit: ref, fetched: false };
    if (offline) {
      throw new UserError("OFFLINE_MISS", `Offline: ${redactUrl(source.label)} is not in the git store (${store})`, { details: { url: redactUrl(source.label), hashes: [] } });
    }
    await ensureStore(store, source.label);
    try {
      return { commit: await fetchIntoStore(store, source, ref), fetched: true };
    } catch (error) {
      // Another process fetching the same commit holds git's locks: its result serves.
      if (ref !== undefined && FULL_COMMIT.test(ref) && (await hasCommit(store, ref))) return { commit: ref, fetched: true };
      throw error;
    }
  });
}

async function fetchIntoStore(store: string, source: StoreFetch, ref: string | undefined): Promise<string> {
  const base = [`--git-dir=${store}`, "fetch", "-q", "--no-tags", "--no-write-fetch-head"];
  if (ref !== undefined && FULL_COMMIT.test(ref)) {
    try {
      await git([...base, "--depth=1", "--", source.remote, `+${ref}:refs/opam-monorepo/${ref}`], source.label);
    } catch (error) {
      // Servers that refuse an unadvertised commit: every branch and tag, then look for it.
      await git([...base, "--", source.remote, "+refs/heads/*:refs/opam-monorepo/heads/*", "+refs/tags/*:refs/opam-monorepo/tags/*"], source.label).catch(() => {
        throw error;
      });
      if (!(await hasCommit(store, ref))) throw error;
      await git([`--git-dir=${store}`, "update-ref", `refs/opam-monorepo/${ref}`, ref], source.label);
    }
    if (!(await hasCommit(store, ref))) throw new UserError("GIT_FAILED", `Failed to fetch ${redactUrl(source.label)}: the remote did not send commit ${ref}`);
    return ref;
  }
  const temp = `refs/opam-monorepo/fetch/${process.pid}-${randomBytes(4).toString("hex")}`;
  await git([...base, "--depth=1", "--", source.remote, `+${ref ?? "HEAD"}:${temp}`], source.label);
  const commit = (await git([`--git-dir=${store}`, "rev-parse", "--verify", "--end-of-options", `${temp}^{commit}`], source.label)).trim();
  await git([`--git-dir=${store}`, "update-ref", `refs/opam-monorepo/${commit}`, commit], source.label);
  await git([`--git-dir=${store}`, "update-ref", "-d", temp], source.label);
  return commit;
}

/** True when the commit's tree has a `.gitmodules` file. */
export async function hasSubmodules(cacheDir: string, remote: string, commit: string): Promise<boolean> {
  return git([`--git-dir=${gitStorePath(cacheDir, remote)}`, "cat-file", "-e", `${commit}:.gitmodules`], remote).then(
    () => true,
    () => false,
  );
}

/** Write the commit's files into `workDir` (absent or empty) with a private index; no `.git`. */
export async function checkoutFromStore(cacheDir: string, remote: string, commit: string, workDir: string, label: string): Promise<void> {
  const store = gitStorePath(cacheDir, remote);
  await mkdir(workDir, { recursive: true });
  const index = `${workDir}.index-${randomBytes(4).toString("hex")}`;
  const env = { GIT_INDEX_FILE: index };
  try {
    await git([`--git-dir=${store}`, `--work-tree=${workDir}`, "read-tree", "--end-of-options", commit], label, env);
    await git([`--git-dir=${store}`, `--work-tree=${workDir}`, "checkout-index", "-a", "-f"], label, env);
  } finally {
    await rm(index, { force: true });
  }
}
