// Loopback static file server for download tests: serves a directory on 127.0.0.1:<random>,
// counts requests (per path), and misbehaves on demand: added latency, 404/500 answers,
// truncated bodies, redirects. Never listens on anything but 127.0.0.1.
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

export type Fault = { kind: "status"; status: number } | { kind: "truncate" } | { kind: "reset" } | { kind: "hang" };

export interface StaticServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  /** Requests received, in total and by URL path. */
  requests: number;
  requestsFor(urlPath: string): number;
  /** Answer the next `times` requests for `urlPath` with `fault` (then serve normally). */
  fail(urlPath: string, fault: Fault, times?: number): void;
  /** Redirect `from` to `to` (302). */
  redirect(from: string, to: string): void;
  /** Delay every response by this many milliseconds. */
  latencyMs: number;
  /** Hold every response until the returned function is called (to force overlapping clients). */
  hold(): () => void;
  close(): Promise<void>;
}

export async function serveDirectory(dir: string, options: { latencyMs?: number } = {}): Promise<StaticServer> {
  const counts = new Map<string, number>();
  const faults = new Map<string, Fault[]>();
  const redirects = new Map<string, string>();
  const sockets = new Set<import("node:net").Socket>();
  const state = { requests: 0, latencyMs: options.latencyMs ?? 0, held: undefined as Promise<void> | undefined };
  const server = http.createServer((request, response) => {
    const urlPath = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    state.requests++;
    counts.set(urlPath, (counts.get(urlPath) ?? 0) + 1);
    const respond = () => void (state.held ?? Promise.resolve()).then(() => answer(urlPath, response, dir, faults, redirects));
    if (state.latencyMs > 0) setTimeout(respond, state.latencyMs);
    else respond();
  });
  server.keepAliveTimeout = 30_000;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    requestsFor: (urlPath) => counts.get(urlPath) ?? 0,
    fail(urlPath, fault, times = 1) {
      faults.set(urlPath, [...(faults.get(urlPath) ?? []), ...Array.from({ length: times }, () => fault)]);
    },
    redirect: (from, to) => void redirects.set(from, to),
    hold() {
      let release!: () => void;
      state.held = new Promise<void>((resolve) => (release = resolve));
      return () => {
        state.held = undefined;
        release();
      };
    },
    get latencyMs() {
      return state.latencyMs;
    },
    set latencyMs(value: number) {
      state.latencyMs = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function answer(urlPath: string, response: http.ServerResponse, dir: string, faults: Map<string, Fault[]>, redirects: Map<string, string>): Promise<void> {
  const fault = faults.get(urlPath)?.shift();
  const redirect = redirects.get(urlPath);
  if (redirect) {
    response.writeHead(302, { location: redirect }).end();
    return;
  }
  const file = path.join(dir, urlPath);
  if (!file.startsWith(path.resolve(dir)) || !(await stat(file).then((info) => info.isFile(), () => false))) {
    response.writeHead(404, { "content-type": "text/plain" }).end("not found");
    return;
  }
  if (fault?.kind === "status") {
    response.writeHead(fault.status, { "content-type": "text/plain" }).end(`status ${fault.status}`);
    return;
  }
  if (fault?.kind === "reset") {
    response.socket?.destroy();
    return;
  }
  if (fault?.kind === "hang") return;
  const { size } = await stat(file);
  response.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(size) });
  if (fault?.kind === "truncate") {
    const content = await readFile(file);
    response.write(content.subarray(0, Math.floor(content.length / 2)), () => response.socket?.destroy());
    return;
  }
  createReadStream(file).pipe(response);
}
