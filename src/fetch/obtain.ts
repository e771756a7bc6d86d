// Gets an archive onto the local disk: download cache first (by checksum), then each archive
// mirror (`<mirror>/<algo>/<2 hex>/<hex>`), then the URL itself; verifies every listed checksum
// while streaming and publishes to the cache only verified bytes. Offline: cache and local mirrors.
import { rm } from "node:fs/promises";
import { singleFlight } from "../core/concurrency.js";
import { UserError } from "../core/errors.js";
import type { Reporter } from "../core/reporter.js";
import type { DownloadCache } from "./cache.js";
import { findMismatch, formatHash, mismatchMessage, type Hash, type HashAlgo } from "./checksum.js";
import { downloadTo, isNotFound, type Downloader } from "./download.js";
import { isLocalUrl, redactUrl } from "./source.js";
import { isHostError } from "./unreachable.js";

export interface ObtainContext {
  cache: DownloadCache;
  downloader: Downloader;
  mirrors: readonly string[];
  offline: boolean;
  /** OPAMNOCHECKSUMS: accept whatever the URL serves (and do not cache it). */
  noChecksums: boolean;
  /** OPAMREQUIRECHECKSUMS: refuse archives that list no checksum. */
  requireChecksums: boolean;
  reporter: Reporter;
  onBytes?: (count: number) => void;
  /** Shares one download per checksum between repositories of this process. */
  inFlight: (key: string, run: () => Promise<Obtained>) => Promise<Obtained>;
}

export interface Obtained {
  file: string;
  /** A temp file the caller deletes after use (archives without checksums are never cached). */
  temporary: boolean;
  from: "cache" | "mirror" | "url";
}

/** Offline, source URLs are used only when they are files (mirrors may also be on loopback). */
function isFileUrl(url: string): boolean {
  return /^file:/i.test(url);
}

export function newInFlight(): ObtainContext["inFlight"] {
  return singleFlight<string, Obtained>();
}

export async function obtainArchive(url: string, hashes: readonly Hash[], context: ObtainContext): Promise<Obtained> {
  if (hashes.length === 0 && context.requireChecksums && !context.noChecksums) {
    throw new UserError("CHECKSUM_MISSING", `Missing checksum for ${redactUrl(url)}, and OPAMREQUIRECHECKSUMS (--require-checksums) is set.`);
  }
  if (hashes.length === 0) return { file: await fetchUnverified(url, context), temporary: true, from: "url" };
  // Unverified results are temp files owned by one caller: never share them.
  if (context.noChecksums) return obtainVerified(url, hashes, context);
  return context.inFlight(formatHash(hashes[0]), () => obtainVerified(url, hashes, context));
}

async function obtainVerified(url: string, hashes: readonly Hash[], context: ObtainContext): Promise<Obtained> {
  const cached = await context.cache.lookup(hashes, context.reporter);
  if (cached) return { file: cached, temporary: false, from: "cache" };
  for (const mirror of context.mirrors) {
    if (context.offline && !isLocalUrl(mirror)) continue;
    const found = await tryMirror(mirror, hashes, context);
    if (found) return { file: found, temporary: false, from: "mirror" };
  }
  if (context.offline && !isFileUrl(url)) {
    throw new UserError("OFFLINE_MISS", `${redactUrl(url)} (${hashes.map(formatHash).join(" ")}) is not in the download cache or a local mirror`, {
      details: { url: redactUrl(url), hashes: hashes.map(formatHash) },
    });
  }
  const file = await downloadVerified(url, hashes, context);
  if (context.noChecksums) return { file, temporary: true, from: "url" };
  return { file: await context.cache.store(file, hashes), temporary: false, from: "url" };
}

async function tryMirror(mirror: string, hashes: readonly Hash[], context: ObtainContext): Promise<string | undefined> {
  for (const hash of hashes) {
    const url = `${mirror.replace(/\/+$/, "")}/${hash.algo}/${hash.hex.slice(0, 2)}/${hash.hex}`;
    try {
      const file = await downloadVerified(url, hashes, { ...context, noChecksums: false });
      return await context.cache.store(file, hashes);
    } catch (error) {
      // An unreachable mirror host is reported once, not once per archive.
      if (isHostError(error) && error.details.repeat) context.reporter.debug(`${redactUrl(url)}: ${error.message}`);
      else if (!isNotFound(error)) context.reporter.warn(`Archive mirror ${redactUrl(mirror)} failed: ${(error as Error).message}`);
      else context.reporter.debug(`${redactUrl(url)}: not on the mirror`);
    }
  }
  return undefined;
}

/** Download into a cache temp file and check every hash; the temp file is removed on failure. */
async function downloadVerified(url: string, hashes: readonly Hash[], context: ObtainContext): Promise<string> {
  const temp = await context.cache.tempFile();
  try {
    const algos: HashAlgo[] = hashes.map((hash) => hash.algo);
    const digests = await downloadTo(context.downloader, url, temp, algos, context.onBytes);
    const mismatch = context.noChecksums ? undefined : findMismatch(hashes, digests);
    if (mismatch) throw new UserError("CHECKSUM_MISMATCH", mismatchMessage(redactUrl(url), mismatch), { details: { url: redactUrl(url), expected: formatHash(mismatch.expected), actual: formatHash(mismatch.actual) } });
    return temp;
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function fetchUnverified(url: string, context: ObtainContext): Promise<string> {
  if (context.offline && !isFileUrl(url)) {
    throw new UserError("OFFLINE_MISS", `${redactUrl(url)} has no checksum, so it cannot come from the download cache`, { details: { url: redactUrl(url), hashes: [] } });
  }
  return downloadVerified(url, [], context);
}
