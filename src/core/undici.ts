// undici's Agent and request(), loaded on first use from their own modules inside undici: its
// index also loads fetch, WebSocket, EventSource, caching and mocking (~120 ms on the project's
// VM, against ~45 ms for these two; docs/performance.md). These are paths inside undici 7, pinned
// by package-lock.json: the loopback download tests fail if an update moves them.
import type { Agent as UndiciAgent, Dispatcher } from "undici";

export type RequestOptions = Omit<Dispatcher.RequestOptions, "origin" | "path"> & { dispatcher: Dispatcher };

export interface Undici {
  Agent: typeof UndiciAgent;
  /** undici's `request(url, options)`: `options.dispatcher` sends it. */
  request(url: string, options: RequestOptions): Promise<Dispatcher.ResponseData>;
}

type ApiRequest = (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

// Spelled as variables: undici ships no types for its inner modules (the public ones above apply).
const AGENT_MODULE = "undici/lib/dispatcher/agent.js";
const REQUEST_MODULE = "undici/lib/api/api-request.js";

let loaded: Promise<Undici> | undefined;

export function loadUndici(): Promise<Undici> {
  loaded ??= Promise.all([import(AGENT_MODULE), import(REQUEST_MODULE)]).then(([agent, api]): Undici => {
    const apiRequest = (api as { default: ApiRequest }).default;
    return {
      Agent: (agent as { default: typeof UndiciAgent }).default,
      // What undici's own request() does before handing over to its dispatcher.
      request: (url, { dispatcher, ...options }) => {
        const { origin, pathname, search } = new URL(url);
        return apiRequest.call(dispatcher, { ...options, origin, path: `${pathname}${search}` });
      },
    };
  });
  return loaded;
}
