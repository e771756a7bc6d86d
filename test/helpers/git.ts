// Local git repositories for tests: write files, commit, optionally add submodules, and return
// the `file://` URL and the commit. Pinned author and dates; never touches the network.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.invalid",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.invalid",
  GIT_AUTHOR_DATE: "2024-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2024-01-01T00:00:00Z",
  GIT_CONFIG_NOSYSTEM: "1",
};

export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "init.defaultBranch=main", "-c", "protocol.file.allow=always", "-C", dir, ...args], { env: ENV, encoding: "utf8" }).trim();
}

export interface GitRepo {
  dir: string;
  /** `file:///…` URL of the repository. */
  url: string;
  /** Commit of the last `commit()`. */
  commit: string;
}

/** Create a repository at `dir` with `files` committed. */
export function makeGitRepo(dir: string, files: Record<string, string>, options: { submodules?: Record<string, GitRepo> } = {}): GitRepo {
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q");
  writeFiles(dir, files);
  for (const [at, sub] of Object.entries(options.submodules ?? {})) git(dir, "submodule", "add", "-q", sub.url, at);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "initial");
  return { dir, url: pathToFileURL(dir).href, commit: git(dir, "rev-parse", "HEAD") };
}

/** Add (or change) files and commit; returns the new commit. */
export function commitFiles(repo: GitRepo, files: Record<string, string>, message = "change"): string {
  writeFiles(repo.dir, files);
  git(repo.dir, "add", "-A");
  git(repo.dir, "commit", "-q", "-m", message);
  repo.commit = git(repo.dir, "rev-parse", "HEAD");
  return repo.commit;
}

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
}
