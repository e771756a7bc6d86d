// Small pieces of a pull: choosing the repositories (partial pull), finding symlinked
// directories to preserve, and one error that lists every failed repository (progress: pull-progress.ts).
import { lstat } from "node:fs/promises";
import path from "node:path";
import { groupHostFailures, isHostError, OFFLINE_HINT } from "./unreachable.js";
import { isUserError, UserError, type ErrorCode } from "../core/errors.js";
import type { LockedSource } from "./cache-key.js";

/** The repositories named by a partial pull (all when `only` is undefined). */
export function selectRepos<R extends LockedSource>(repos: readonly R[], only: readonly string[] | undefined): R[] {
  if (only === undefined) return [...repos];
  const known = new Set(repos.map((repo) => repo.dir));
  const unknown = only.filter((dir) => !known.has(dir));
  if (unknown.length > 0) {
    throw new UserError("UNKNOWN_REPOSITORY", `The following repos are not in your duniverse: ${unknown.join(" ")}`, {
      hint: "Name directories as they appear in x-opam-monorepo-duniverse-dirs (see `opam-monorepo list`).",
    });
  }
  const wanted = new Set(only);
  return repos.filter((repo) => wanted.has(repo.dir));
}

/** Selected directories that are symlinks in duniverse/ (missing ones are "nothing to keep"). */
export async function symlinkedDirs(duniverse: string, repos: readonly LockedSource[]): Promise<string[]> {
  const result: string[] = [];
  for (const repo of repos) {
    const info = await lstat(path.join(duniverse, repo.dir)).catch(() => undefined);
    if (info?.isSymbolicLink()) result.push(repo.dir);
  }
  return result;
}

/** Codes whose hint survives into the summary of a pull's failures. */
const KEPT_HINTS = new Set<ErrorCode>(["ARCHIVE_TOO_LARGE", "EXTRACT_FAILED"]);

/** One error for all failed repositories; offline misses become a single OFFLINE_MISS list. */
export function failureError(failures: readonly { repo: LockedSource; error: unknown }[], total: number): UserError {
  const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
  const details = failures.map(({ repo, error }) => ({ dir: repo.dir, url: repo.url, code: isUserError(error) ? error.code : "INTERNAL", message: describe(error) }));
  if (details.every((detail) => detail.code === "OFFLINE_MISS")) {
    const lines = failures.map(({ repo }) => `  duniverse/${repo.dir}: ${repo.url}${repo.hashes.length ? ` (${repo.hashes.join(" ")})` : ""}`);
    return new UserError("OFFLINE_MISS", `Offline: ${failures.length} of ${total} archives are not in the download cache or a local mirror:\n${lines.join("\n")}`, {
      hint: "Run `opam-monorepo pull --download-only` with network access first, or pass --archive-mirror with a local mirror.",
      details,
    });
  }
  const unreachable = unreachableError(failures.map(({ error }) => error), details, total);
  if (unreachable !== undefined) return unreachable;
  const codes = new Set(details.map((detail) => detail.code));
  const code = (codes.size === 1 && !codes.has("INTERNAL") ? details[0].code : "DOWNLOAD_FAILED") as ErrorCode;
  // The hints that say what to do (raise the size cap, free space), each once.
  const hints = [...new Set(failures.flatMap(({ error }) => (isUserError(error) && error.hint && KEPT_HINTS.has(error.code) ? [error.hint] : [])))];
  const hint = hints.length > 0 ? hints.join("\n") : undefined;
  if (failures.length === 1) return new UserError(code, `Failed to pull duniverse/${details[0].dir}: ${details[0].message}`, { cause: failures[0].error, details, hint });
  const lines = details.map((detail) => `  duniverse/${detail.dir}: ${detail.message.replace(/\n/g, "\n    ")}`);
  return new UserError(code, `Failed to pull ${failures.length} of ${total} repositories:\n${lines.join("\n")}`, { details, hint });
}

/**
 * Failures from hosts that cannot be reached, grouped by host (`could not resolve github.com
 * (ENOTFOUND): 95 archives`), the other failures listed after them, and the offline hint.
 */
export function unreachableError(errors: readonly unknown[], details: readonly { dir: string; message: string }[], total: number, verb = "pull"): UserError | undefined {
  const grouped = groupHostFailures(errors);
  if (grouped.length === 0) return undefined;
  const others = details.filter((_detail, index) => !isHostError(errors[index])).map((detail) => `  duniverse/${detail.dir}: ${detail.message.replace(/\n/g, "\n    ")}`);
  const message = `Failed to ${verb} ${errors.length} of ${total} ${verb === "pull" ? "repositories" : "archives"}:\n${[...grouped.map((line) => `  ${line}`), ...others].join("\n")}`;
  return new UserError("HOST_UNREACHABLE", message, { hint: OFFLINE_HINT, details });
}
