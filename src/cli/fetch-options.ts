// Options shared by the commands that fetch locked sources (pull, mirror): jobs, retries,
// download cache, archive mirrors, offline; defaults from OPAMDOWNLOADJOBS, OPAMRETRIES, the opam
// root's config (archive-mirrors, download-jobs) and OPAMNOCHECKSUMS/OPAMREQUIRECHECKSUMS.
import type { Command } from "commander";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { UserError } from "../core/errors.js";
import { opamRoot } from "../core/paths.js";
import type { Reporter } from "../core/reporter.js";
import { DownloadCache, defaultCacheDir } from "../fetch/cache.js";
import { httpLimits } from "../fetch/http-get.js";
import type { FetchOptions } from "../fetch/session.js";
import { checksumPolicy, defaultJobs, defaultRetries, maxExtractedSize } from "../fetch/settings.js";
import { readRootConfigAt } from "../repository/opam-root.js";

export interface FetchArgs {
  jobs?: string;
  cacheDir?: string;
  archiveMirror: string[];
  offline: boolean;
  /** `--max-extracted-size` (pull only). */
  maxExtractedSize?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function addFetchOptions(command: Command): Command {
  return command
    .option("-j, --jobs <n>", "parallel downloads (default: OPAMDOWNLOADJOBS, the opam config's download-jobs, or 16)")
    .option("--cache-dir <dir>", "download cache (default: $OPAMROOT/download-cache if it exists, else ~/.cache/opam-monorepo/download-cache; also OPAM_MONOREPO_CACHE)")
    .option("--archive-mirror <url>", "an archive mirror in opam's cache layout (<url>/<algo>/<xx>/<hex>), http(s)://, file:// or a path (repeatable)", collect, [])
    .option("--offline", "use only the download cache and local mirrors; fail listing whatever is missing", false);
}

/** A mirror given as a plain path becomes a file:// URL. */
function mirrorUrl(text: string, cwd: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text.replace(/\/+$/, "") : pathToFileURL(path.resolve(cwd, text)).href;
}

/** archive-mirrors and download-jobs from the opam root's config, when there is an opam root. */
function opamConfig(env: NodeJS.ProcessEnv): { mirrors: string[]; jobs: number | undefined } {
  try {
    const config = readRootConfigAt(opamRoot(env));
    return { mirrors: config.archiveMirrors, jobs: config.downloadJobs };
  } catch (error) {
    if (error instanceof UserError) return { mirrors: [], jobs: undefined };
    throw error;
  }
}

function parseJobs(text: string): number {
  const jobs = Number(text);
  if (!Number.isInteger(jobs) || jobs < 1) throw new UserError("BAD_OPTION_VALUE", `option --jobs: expected a positive integer, got ${JSON.stringify(text)}`);
  return jobs;
}

export function fetchOptions(args: FetchArgs, env: NodeJS.ProcessEnv, cwd: string, reporter: Reporter): FetchOptions {
  const config = opamConfig(env);
  const jobs = args.jobs !== undefined ? parseJobs(args.jobs) : env.OPAMDOWNLOADJOBS ? defaultJobs(env) : (config.jobs ?? defaultJobs(env));
  const cacheDir = args.cacheDir === undefined ? defaultCacheDir(env) : defaultCacheDir(env, path.resolve(cwd, args.cacheDir));
  return {
    cache: new DownloadCache(cacheDir),
    mirrors: [...args.archiveMirror.map((mirror) => mirrorUrl(mirror, cwd)), ...config.mirrors],
    offline: args.offline,
    ...checksumPolicy(env),
    jobs,
    retries: defaultRetries(env),
    limits: httpLimits(env),
    maxExtractedSize: maxExtractedSize(args.maxExtractedSize, env),
    reporter,
  };
}
