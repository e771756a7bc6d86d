// Materialises one source (archive, git commit, local directory) as a directory tree inside a
// private work directory, then trims `.git` and nested `duniverse/` as opam-monorepo does.
// Returns where the tree is; never touches anything outside `workDir`.
import { cp, rm, stat } from "node:fs/promises";
import path from "node:path";
import { UserError } from "../core/errors.js";
import { removeInside } from "../core/fs.js";
import { fetchGit } from "./git.js";
import { checkoutFromStore, ensureStoreCommit, gitStorePath, hasSubmodules } from "./git-store.js";
import type { Extraction } from "./extract.js";
import { obtainArchive, type Obtained } from "./obtain.js";
import type { FetchSession } from "./session.js";
import { redactUrl, type Source } from "./source.js";

export interface FetchResult {
  /** The directory holding the sources (inside `workDir`, or `workDir` itself). */
  content: string;
  /** `git`: fetched into the git store; `git-store`: the store already had the commit. */
  from: Obtained["from"] | "git" | "git-store" | "local";
  /** An archive's regular files as extracted (stat and sha256), by path below `content`. */
  files?: Extraction["files"];
}

type Session = Pick<FetchSession, "context" | "extractor">;

/** Fetch `source` into `workDir` (absent or empty). */
export async function fetchSource(source: Source, workDir: string, session: Session, keepGitDir: boolean): Promise<FetchResult> {
  const result = await materialise(source, workDir, session, keepGitDir);
  if (!keepGitDir) {
    await removeInside(result.content, path.join(result.content, ".git"));
    await removeInside(result.content, path.join(result.content, "duniverse"));
  }
  return result;
}

async function materialise(source: Source, workDir: string, session: Session, keepGitDir: boolean): Promise<FetchResult> {
  const { context } = session;
  switch (source.kind) {
    case "git":
      return fromGitStore(source, workDir, context.cache.dir, context.offline, keepGitDir);
    case "local": {
      const info = await stat(source.path).catch(() => undefined);
      if (info === undefined) throw new UserError("DOWNLOAD_FAILED", `Failed to download ${redactUrl(source.url)}: no such file or directory`);
      if (!info.isDirectory()) return fromArchive(source.url, source.hashes, workDir, session);
      await cp(source.path, workDir, { recursive: true, verbatimSymlinks: true, errorOnExist: true });
      return { content: workDir, from: "local" };
    }
    case "archive":
      return fromArchive(source.url, source.hashes, workDir, session);
  }
}

/** The commit into the git store (fetched only if missing), then checked out from there. */
async function fromGitStore(source: Extract<Source, { kind: "git" }>, workDir: string, cacheDir: string, offline: boolean, keepGitDir: boolean): Promise<FetchResult> {
  const { commit, fetched } = await ensureStoreCommit(cacheDir, { remote: source.remote, ref: source.ref, label: source.url }, offline);
  const from = fetched ? "git" : "git-store";
  if (keepGitDir || (await hasSubmodules(cacheDir, source.remote, commit))) {
    // A repository in the result: fetched from the store (local), submodules from their remotes.
    await fetchGit({ remote: source.remote, ref: commit, label: source.url }, workDir, gitStorePath(cacheDir, source.remote));
  } else {
    await checkoutFromStore(cacheDir, source.remote, commit, workDir, source.url);
  }
  return { content: workDir, from };
}

async function fromArchive(url: string, hashes: Parameters<typeof obtainArchive>[1], workDir: string, session: Session): Promise<FetchResult> {
  const obtained = await obtainArchive(url, hashes, session.context);
  try {
    const { content, files } = await session.extractor.extract(obtained.file, workDir, redactUrl(url));
    return { content, files, from: obtained.from };
  } finally {
    if (obtained.temporary) await rm(obtained.file, { force: true });
  }
}
