// Turns a repository URL into a RepositorySpec and opens any spec (switch on `kind`). Supported:
// local directories and `.tar.gz` files (paths or file://), git (git+…, git://, *.git), and
// http(s) tarballs; `https://opam.ocaml.org` means opam-repository's git, as in the reference.
import { statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../core/errors.js";
import { openArchive } from "./archive.js";
import { openDirectory } from "./directory.js";
import type { OpenDeps, Repository, RepositorySpec, StackedRepository } from "./repository.js";
import { stackRepositories } from "./stack.js";

export const OPAM_REPOSITORY_GIT = "git+https://github.com/ocaml/opam-repository.git";

const ARCHIVE_NAME = /\.(tar\.gz|tgz)$/iu;

function localSpec(file: string, url: string | undefined): RepositorySpec {
  const stats = statSync(file, { throwIfNoEntry: false });
  const archive = stats === undefined ? ARCHIVE_NAME.test(file) : stats.isFile();
  return archive ? { kind: "archive", path: file, ...(url ? { url } : {}) } : { kind: "directory", path: file, ...(url ? { url } : {}) };
}

function unsupported(url: string): UserError {
  return new UserError("REPO_UNREACHABLE", `unsupported repository URL ${url}`, {
    hint: "use a local directory or .tar.gz (path or file://), a git URL (git+https://…, git+file://…) or an http(s) tarball",
  });
}

/** The spec for a repository URL as written in an opam file, on the command line or in opam's config. */
export function repositorySpecFromUrl(url: string, cwd: string = process.cwd()): RepositorySpec {
  const trimmed = url.trim();
  if (/^https?:\/\/opam\.ocaml\.org\/?$/u.test(trimmed)) return { kind: "git", url: OPAM_REPOSITORY_GIT };
  if (/^git(\+[a-z]+)?:\/\//u.test(trimmed)) return { kind: "git", url: trimmed };
  if (/^file:\/\//u.test(trimmed)) return localSpec(fileURLToPath(trimmed.replace(/#.*$/u, "")), trimmed);
  if (/^https?:\/\//u.test(trimmed)) {
    return /\.git(#.*)?$/u.test(trimmed) ? { kind: "git", url: trimmed } : { kind: "http", url: trimmed };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//iu.test(trimmed)) throw unsupported(trimmed);
  return localSpec(path.resolve(cwd, trimmed), undefined);
}

/** Opens one repository. */
export function openRepository(spec: RepositorySpec, deps: OpenDeps): Promise<Repository> {
  switch (spec.kind) {
    case "directory":
      return openDirectory(spec, deps);
    case "archive":
      return openArchive(spec, deps);
    // Loaded when used: http brings undici's helpers and Node's streams (~5 ms, ~2 MB), git its
    // checkout code; a lock on local repositories needs neither.
    case "git":
      return import("./git.js").then(({ openGit }) => openGit(spec, deps));
    case "http":
      return import("./http.js").then(({ openHttp }) => openHttp(spec, deps));
  }
}

/**
 * Opens repositories concurrently (fetches overlap) and stacks them: the first listed wins.
 * When several fail, the error of the first failing one in list order is thrown.
 */
export async function openRepositories(specs: readonly RepositorySpec[], deps: OpenDeps): Promise<StackedRepository> {
  const opened = (repository: Repository): Repository => {
    let count: number | undefined;
    deps.onProgress?.({ kind: "opened", label: repository.label, packages: () => (count ??= repository.packageNames().length) });
    return repository;
  };
  const settled = await Promise.allSettled(specs.map((spec) => openRepository(spec, deps).then(opened)));
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed !== undefined) throw failed.reason;
  return stackRepositories(settled.map((result) => (result as PromiseFulfilledResult<Repository>).value));
}
