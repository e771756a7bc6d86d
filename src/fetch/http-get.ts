// One HTTP GET with limits a hostile or broken server cannot defeat: redirects followed here (at
// most 10, a loop named, a redirect's body never read), a body idle timeout, a low-speed limit
// and a maximum size. Every failure is a UserError naming the URL the user asked for.
import type { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import { loadUndici } from "../core/undici.js";
import { UserError } from "../core/errors.js";

export interface HttpLimits {
  /** No byte (headers or body) for this long fails. */
  idleMs: number;
  /** An average under `lowSpeedBytes` per second over `lowSpeedMs` fails. */
  lowSpeedBytes: number;
  lowSpeedMs: number;
  /** A body larger than this fails (as soon as it is known to be). 0 turns a limit off. */
  maxBytes: number;
}

export const MAX_REDIRECTS = 10;
export const DEFAULT_LIMITS: HttpLimits = { idleMs: 60_000, lowSpeedBytes: 1024, lowSpeedMs: 60_000, maxBytes: 4 * 1024 ** 3 };

function envNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, scale: number): number {
  const text = env[name];
  if (text === undefined || text.trim() === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new UserError("BAD_ARGUMENT", `${name}: expected a non-negative number, got ${JSON.stringify(text)}`);
  return value * scale;
}

/** The limits from OPAM_MONOREPO_HTTP_TIMEOUT, _LOW_SPEED_LIMIT, _LOW_SPEED_TIME (seconds, B/s) and _MAX_SIZE (bytes). */
export function httpLimits(env: NodeJS.ProcessEnv): HttpLimits {
  return {
    idleMs: envNumber(env, "OPAM_MONOREPO_HTTP_TIMEOUT", DEFAULT_LIMITS.idleMs, 1000),
    lowSpeedBytes: envNumber(env, "OPAM_MONOREPO_HTTP_LOW_SPEED_LIMIT", DEFAULT_LIMITS.lowSpeedBytes, 1),
    lowSpeedMs: envNumber(env, "OPAM_MONOREPO_HTTP_LOW_SPEED_TIME", DEFAULT_LIMITS.lowSpeedMs, 1000),
    maxBytes: envNumber(env, "OPAM_MONOREPO_HTTP_MAX_SIZE", DEFAULT_LIMITS.maxBytes, 1),
  };
}

/** A response body under the limits: read it once (it may fail with HTTP_TIMEOUT or HTTP_TOO_LARGE), or destroy it unread. */
export interface GuardedBody extends AsyncIterable<Buffer> {
  destroy(): void;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: GuardedBody;
}

export interface GetOptions {
  dispatcher: Dispatcher;
  headers?: Record<string, string>;
  limits: HttpLimits;
  /** The URL as shown in errors (credentials stripped). */
  shown: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** GET `url`, following redirects; a final 3xx without a usable Location is returned as is. */
export async function httpGet(url: string, options: GetOptions): Promise<HttpResponse> {
  const { request } = await loadUndici();
  const seen = new Set<string>();
  let current = url;
  for (let hops = 0; ; hops++) {
    seen.add(current);
    const response = await request(current, { dispatcher: options.dispatcher, method: "GET", headers: options.headers, headersTimeout: options.limits.idleMs, bodyTimeout: 0 });
    const location = response.headers.location;
    if (!REDIRECTS.has(response.statusCode) || typeof location !== "string") return { ...response, body: guardBody(response.body, response.headers, options) };
    response.body.on("error", () => undefined).destroy(); // never read: a redirect's body may be endless
    const next = new URL(location, current).href;
    if (!/^https?:/iu.test(next)) throw httpError("HTTP_REDIRECTS", options.shown, `a redirect leads to ${next}, which is not http(s)`);
    if (seen.has(next)) throw httpError("HTTP_REDIRECTS", options.shown, `redirect loop at ${stripCredentials(next)}`);
    if (hops + 1 > MAX_REDIRECTS) throw httpError("HTTP_REDIRECTS", options.shown, `more than ${MAX_REDIRECTS} redirects from ${options.shown}`);
    current = next;
  }
}

function stripCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@#?]*@/iu, "$1");
}

function httpError(code: "HTTP_REDIRECTS" | "HTTP_TIMEOUT" | "HTTP_TOO_LARGE", shown: string, reason: string, hint?: string): UserError {
  return new UserError(code, `Failed to download ${shown}: ${reason}`, { hint });
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** The body with the idle timeout, the low-speed limit and the size cap applied. */
function guardBody(body: Readable, headers: HttpResponse["headers"], options: GetOptions): GuardedBody {
  const declared = Number(headers["content-length"]);
  // Destroying a body before its end makes undici emit "Request aborted": ours, not a failure.
  // The reading loop sees the body's errors itself.
  body.on("error", () => undefined);
  return {
    destroy: () => void body.destroy(),
    [Symbol.asyncIterator]: () => guardedChunks(body, declared, options),
  };
}

/**
 * The chunks of `body` as they arrive, under the limits: a timer that fires destroys the body
 * with its error, which the pending read then throws. No stream of its own: a Transform per
 * download cost the thread that downloads ~0.2 ms of CPU each.
 */
async function* guardedChunks(body: Readable, declared: number, { limits, shown }: GetOptions): AsyncGenerator<Buffer> {
  let failure: UserError | undefined;
  const fail = (error: UserError) => {
    failure ??= error;
    body.destroy(error);
  };
  const tooLarge = () =>
    httpError("HTTP_TOO_LARGE", shown, `the body is larger than ${limits.maxBytes} bytes`, "raise the limit with OPAM_MONOREPO_HTTP_MAX_SIZE (bytes)");
  let idle: NodeJS.Timeout | undefined;
  const arm = () => {
    if (limits.idleMs <= 0) return;
    clearTimeout(idle);
    idle = setTimeout(() => fail(httpError("HTTP_TIMEOUT", shown, `no data for ${seconds(limits.idleMs)}`, "raise the limit with OPAM_MONOREPO_HTTP_TIMEOUT (seconds)")), limits.idleMs).unref();
  };
  let windowBytes = 0;
  const slow = limits.lowSpeedMs > 0 && limits.lowSpeedBytes > 0
    ? setInterval(() => {
      const rate = windowBytes / (limits.lowSpeedMs / 1000);
      if (rate < limits.lowSpeedBytes) {
        fail(httpError("HTTP_TIMEOUT", shown, `slower than ${limits.lowSpeedBytes} bytes/s for ${seconds(limits.lowSpeedMs)}`, "change the limit with OPAM_MONOREPO_HTTP_LOW_SPEED_LIMIT (bytes/s) and OPAM_MONOREPO_HTTP_LOW_SPEED_TIME (seconds)"));
      }
      windowBytes = 0;
    }, limits.lowSpeedMs).unref()
    : undefined;
  try {
    if (limits.maxBytes > 0 && Number.isFinite(declared) && declared > limits.maxBytes) throw tooLarge();
    arm();
    let total = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      total += chunk.length;
      windowBytes += chunk.length;
      if (limits.maxBytes > 0 && total > limits.maxBytes) throw tooLarge();
      arm();
      yield chunk;
    }
  } catch (error) {
    throw failure ?? error;
  } finally {
    clearTimeout(idle);
    clearInterval(slow);
    body.destroy();
  }
}
