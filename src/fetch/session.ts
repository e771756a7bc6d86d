// One pull's shared fetch state: the download cache, the undici pools, the mirrors, the checksum
// policy, the in-flight table and the extraction threads, built once from the caller's options
// and closed at the end.
import type { Reporter } from "../core/reporter.js";
import type { DownloadCache } from "./cache.js";
import { createDownloader } from "./download.js";
import type { HttpLimits } from "./http-get.js";
import { createExtractor, type Extractor } from "./extract-pool.js";
import { newInFlight, type ObtainContext } from "./obtain.js";
import { DEFAULT_MAX_EXTRACTED_SIZE } from "./tree-writer.js";

export interface FetchOptions {
  cache: DownloadCache;
  /** Archive mirrors in opam's cache layout, tried in order after the cache. */
  mirrors: readonly string[];
  offline: boolean;
  noChecksums: boolean;
  requireChecksums: boolean;
  jobs: number;
  retries: number;
  reporter: Reporter;
  /** First retry delay in ms (tests shorten it); default 500. */
  backoffMs?: number;
  /** Idle timeout for a download in ms; default 60 s. */
  timeoutMs?: number;
  /** Download limits (http-get.ts `httpLimits(env)`); default DEFAULT_LIMITS. */
  limits?: HttpLimits;
  /** The most file data one archive may extract (bytes); default 4 GiB. */
  maxExtractedSize?: number;
}

export interface FetchSession {
  context: ObtainContext;
  /** Extracts archives on worker threads (in this thread when no worker script is built). */
  extractor: Extractor;
  /** HTTP requests sent and bytes received so far. */
  stats: { requests: number; bytes: number };
  close(): Promise<void>;
}

export async function openFetchSession(options: FetchOptions, onBytes?: (count: number) => void): Promise<FetchSession> {
  await options.cache.removeStaleTempFiles();
  const downloader = createDownloader({ connections: options.jobs, retries: options.retries, backoffMs: options.backoffMs, timeoutMs: options.timeoutMs, limits: options.limits });
  const context: ObtainContext = {
    cache: options.cache,
    downloader,
    mirrors: options.mirrors,
    offline: options.offline,
    noChecksums: options.noChecksums,
    requireChecksums: options.requireChecksums,
    reporter: options.reporter,
    onBytes,
    inFlight: newInFlight(),
  };
  const extractor = createExtractor(undefined, undefined, { maxBytes: options.maxExtractedSize ?? DEFAULT_MAX_EXTRACTED_SIZE });
  const close = async () => void (await Promise.all([downloader.close(), extractor.close()]));
  return { context, extractor, stats: downloader.stats, close };
}
