// undici's Agent and request(), loaded on first use from their own modules inside undici: its
// index also loads fetch, WebSocket, EventSource, caching and mocking (~120 ms on the project's
// VM, against ~45 ms for these two; docs/performance.md). These are paths inside undici 7, pinned
// by package-lock.json: the loopback download tests fail if an update moves them.
// An agent made here also trusts the NODE_EXTRA_CA_CERTS that bin/ kept from Node's start-up
// (core/extra-ca.ts), read when the first agent is made.
import { readFileSync } from "node:fs";
import type { Agent as UndiciAgent, Dispatcher } from "undici";
import { deferredCaFile } from "./extra-ca.js";

export type RequestOptions = Omit<Dispatcher.RequestOptions, "origin" | "path"> & { dispatcher: Dispatcher };

export interface Undici {
  /** A new undici Agent with `options`, trusting the deferred extra certificates too. */
  newAgent(options: UndiciAgent.Options): UndiciAgent;
  /** undici's `request(url, options)`: `options.dispatcher` sends it. */
  request(url: string, options: RequestOptions): Promise<Dispatcher.ResponseData>;
}

/** undefined until read; then Node's roots and the file's certificates, or null (none deferred, or unreadable). */
let trusted: string[] | null | undefined;

/**
 * `options` trusting `ca` as well: added to the caller's connect options, never over them (its own
 * `ca` or connector function stays as it is).
 */
export function withTrust(options: UndiciAgent.Options, ca: string[] | null): UndiciAgent.Options {
  const connect = options.connect;
  if (ca === null || typeof connect === "function" || (connect !== undefined && "ca" in connect && connect.ca !== undefined)) return options;
  return { ...options, connect: { ...connect, ca } };
}

/**
 * The `ca` list Node would have used had it read NODE_EXTRA_CA_CERTS itself: its bundled roots
 * and the file's certificates. A file that cannot be read is a warning, as in Node, and ignored.
 */
function deferredTrust(rootCertificates: readonly string[]): string[] | null {
  const file = deferredCaFile();
  if (file === undefined) return null;
  try {
    return [...rootCertificates, readFileSync(file, "latin1")];
  } catch (error) {
    process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${(error as Error).message}`);
    return null;
  }
}

type ApiRequest = (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

// Spelled as variables: undici ships no types for its inner modules (the public ones above apply).
const AGENT_MODULE = "undici/lib/dispatcher/agent.js";
const REQUEST_MODULE = "undici/lib/api/api-request.js";

let loaded: Promise<Undici> | undefined;

export function loadUndici(): Promise<Undici> {
  loaded ??= Promise.all([import(AGENT_MODULE), import(REQUEST_MODULE), import("node:tls")]).then(([agent, api, tls]): Undici => {
    const apiRequest = (api as { default: ApiRequest }).default;
    const Agent = (agent as { default: typeof UndiciAgent }).default;
    return {
      newAgent: (options) => {
        trusted ??= deferredTrust(tls.rootCertificates);
        return new Agent(withTrust(options, trusted));
      },
      // What undici's own request() does before handing over to its dispatcher.
      request: (url, { dispatcher, ...options }) => {
        const { origin, pathname, search } = new URL(url);
        return apiRequest.call(dispatcher, { ...options, origin, path: `${pathname}${search}` });
      },
    };
  });
  return loaded;
}
