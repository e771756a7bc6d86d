// HTTP(S) and file:// downloads into a local file, hashing every byte as it is written.
// undici keep-alive pools (one per origin), redirects and limits in http-get.ts, transient failures retried with
// exponential back-off; permanent failures name the URL (credentials stripped) and stop at once.
import { closeSync, createReadStream, openSync, writeSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { Dispatcher } from "undici";
import { loadUndici } from "../core/undici.js";
import { errnoCode, isUserError, UserError } from "../core/errors.js";
import { MultiHasher, type HashAlgo } from "./checksum.js";
import { DEFAULT_LIMITS, httpGet, type HttpLimits } from "./http-get.js";
import { localPathOf, redactUrl } from "./source.js";
import { hostError, hostFailureOf, hostOf, type HostFailure } from "./unreachable.js";

export interface DownloaderOptions {
  /** Connections per origin (the pull's job count). */
  connections: number;
  /** Extra attempts after the first one, for transient failures only (OPAMRETRIES). */
  retries: number;
  /** First back-off delay; doubled at every attempt, with jitter. */
  backoffMs?: number;
  /** Give up on a silent server after this long (headers, then each body chunk). */
  timeoutMs?: number;
  /** Idle timeout, low-speed limit, maximum size (see http-get.ts); `timeoutMs` overrides the idle timeout. */
  limits?: HttpLimits;
}

export interface Downloader {
  /** The keep-alive pool, created (and undici loaded) on the first download. */
  dispatcher(): Promise<Dispatcher>;
  readonly retries: number;
  readonly backoffMs: number;
  readonly limits: HttpLimits;
  /** HTTP requests sent (every attempt counts), and body bytes received. */
  readonly stats: { requests: number; bytes: number };
  /** Hosts found unreachable (name resolution failed, or connection refused): not tried again. */
  readonly unreachable: Map<string, HostFailure>;
  close(): Promise<void>;
}

export function createDownloader(options: DownloaderOptions): Downloader {
  const limits = { ...(options.limits ?? DEFAULT_LIMITS), ...(options.timeoutMs === undefined ? {} : { idleMs: options.timeoutMs }) };
  const timeout = limits.idleMs > 0 ? limits.idleMs : 60_000;
  // undici is loaded on first use: importing it costs every command a large share of its start-up.
  let pool: Promise<{ agent: Dispatcher; dispatcher: Dispatcher }> | undefined;
  const open = () =>
    (pool ??= loadUndici().then(({ newAgent }) => {
      const agent = newAgent({
        connections: Math.max(1, options.connections),
        keepAliveTimeout: 10_000,
        connectTimeout: Math.min(timeout, 30_000),
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      return { agent, dispatcher: agent };
    }));
  return {
    dispatcher: async () => (await open()).dispatcher,
    retries: Math.max(0, options.retries),
    backoffMs: options.backoffMs ?? 500,
    limits,
    stats: { requests: 0, bytes: 0 },
    unreachable: new Map(),
    close: async () => {
      if (pool !== undefined) await (await pool).agent.close();
    },
  };
}

/** Download `url` to `file` (overwritten), returning the digests of what was written. */
export async function downloadTo(downloader: Downloader, url: string, file: string, algos: readonly HashAlgo[], onBytes?: (count: number) => void): Promise<Map<HashAlgo, string>> {
  if (/^file:/i.test(url)) return copyLocal(url, file, algos, onBytes);
  const known = downloader.unreachable.get(hostOf(url) ?? "");
  if (known !== undefined) throw hostError(url, known, true);
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptDownload(downloader, url, file, algos, onBytes);
    } catch (error) {
      const unreachable = hostFailureOf(url, error);
      if (unreachable !== undefined) {
        const repeat = downloader.unreachable.has(unreachable.host);
        downloader.unreachable.set(unreachable.host, unreachable);
        throw hostError(url, unreachable, repeat);
      }
      if (!isTransient(error) || attempt >= downloader.retries) throw downloadError(url, error, attempt + 1);
      const delay = downloader.backoffMs * 2 ** attempt * (0.75 + Math.random() / 2);
      await sleep(delay);
    }
  }
}

class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

async function attemptDownload(downloader: Downloader, url: string, file: string, algos: readonly HashAlgo[], onBytes?: (count: number) => void): Promise<Map<HashAlgo, string>> {
  downloader.stats.requests++;
  const response = await httpGet(url, {
    dispatcher: await downloader.dispatcher(),
    headers: { "user-agent": "opam-monorepo (TypeScript)" },
    limits: downloader.limits,
    shown: redactUrl(url),
  });
  if (response.statusCode >= 300) {
    response.body.destroy();
    throw new HttpStatusError(response.statusCode);
  }
  const hasher = new MultiHasher(algos);
  await writeHashed(response.body, file, hasher, (count) => {
    downloader.stats.bytes += count;
    onBytes?.(count);
  });
  const expected = Number(response.headers["content-length"]);
  if (Number.isFinite(expected) && expected !== hasher.bytes) {
    throw Object.assign(new Error(`truncated body: ${hasher.bytes} of ${expected} bytes`), { code: "TRUNCATED" });
  }
  return hasher.digests();
}

async function copyLocal(url: string, file: string, algos: readonly HashAlgo[], onBytes?: (count: number) => void): Promise<Map<HashAlgo, string>> {
  const hasher = new MultiHasher(algos);
  try {
    await writeHashed(createReadStream(localPathOf(url)), file, hasher, (count) => onBytes?.(count));
  } catch (error) {
    const reason = errnoCode(error) === "ENOENT" ? "no such file" : String((error as Error).message);
    throw new UserError("DOWNLOAD_FAILED", `Failed to download ${redactUrl(url)}: ${reason}`, { cause: error, details: { status: errnoCode(error) === "ENOENT" ? 404 : undefined } });
  }
  return hasher.digests();
}

/**
 * Every chunk of `source` hashed and written to `file` (created, or emptied), in order. The writes
 * are synchronous (a chunk lands in the page cache at once): a pipeline through a Transform and a
 * WriteStream cost three times the CPU per download, ~0.5 ms each, on the thread that downloads.
 * A failed write stops the loop, which destroys `source`.
 */
async function writeHashed(source: AsyncIterable<Buffer>, file: string, hasher: MultiHasher, onBytes: (count: number) => void): Promise<void> {
  const fd = openSync(file, "w");
  try {
    for await (const chunk of source) {
      hasher.update(chunk);
      onBytes(chunk.length);
      for (let offset = 0; offset < chunk.length; ) offset += writeSync(fd, chunk, offset);
    }
  } finally {
    closeSync(fd);
  }
}

const TRANSIENT_CODES = new Set([
  "ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "TRUNCATED",
  "UND_ERR_SOCKET", "UND_ERR_CLOSED", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH", "UND_ERR_ABORTED", "ERR_STREAM_PREMATURE_CLOSE",
]);

/** Connection resets, timeouts, truncated bodies, 5xx, 408 and 429 are worth another try. */
export function isTransient(error: unknown): boolean {
  if (error instanceof HttpStatusError) return error.status >= 500 || error.status === 408 || error.status === 429;
  for (let current = error; current; current = (current as { cause?: unknown }).cause) {
    const code = errnoCode(current);
    if (code && TRANSIENT_CODES.has(code)) return true;
  }
  return false;
}

function downloadError(url: string, error: unknown, attempts: number): UserError {
  if (isUserError(error)) return error;
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : "";
  if (error instanceof HttpStatusError) {
    return new UserError("DOWNLOAD_FAILED", `Failed to download ${redactUrl(url)}: HTTP ${error.status}${tries}`, { details: { status: error.status } });
  }
  const code = errnoCode(error) ?? errnoCode((error as { cause?: unknown }).cause);
  const reason = (error as Error).message?.replace(/\s+/g, " ") || String(error);
  return new UserError("DOWNLOAD_FAILED", `Failed to download ${redactUrl(url)}: ${reason}${code && !reason.includes(code) ? ` (${code})` : ""}${tries}`, { cause: error });
}

/** True when a download failure means "this URL has no such file" (a mirror miss). */
export function isNotFound(error: unknown): boolean {
  const status = (error as { details?: { status?: number } }).details?.status;
  return status === 404 || status === 410;
}
