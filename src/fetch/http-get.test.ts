// Downloads from hostile loopback servers: a redirect loop, an 11-hop chain, a redirect with an
// endless body, a silent body, a trickling body and an oversized one. Each fails with one
// paragraph naming the URL, quickly (short limits), and never reads a redirect's body.
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { UserError } from "../core/errors.js";
import { createDownloader, downloadTo } from "./download.js";
import { DEFAULT_LIMITS, httpLimits, type HttpLimits } from "./http-get.js";

let server: http.Server;
let base: string;
const state = { redirectBodyBytes: 0 };
const dir = mkdtempSync(path.join(os.tmpdir(), "om-http-get-"));

function handle(request: http.IncomingMessage, response: http.ServerResponse): void {
  const url = new URL(request.url ?? "/", base);
  const hop = Number(url.searchParams.get("hop") ?? "0");
  switch (url.pathname) {
    case "/loop-a":
      return void response.writeHead(302, { location: "/loop-b" }).end();
    case "/loop-b":
      return void response.writeHead(302, { location: "/loop-a" }).end();
    case "/chain":
      return void response.writeHead(302, { location: hop < 11 ? `/chain?hop=${hop + 1}` : "/ok" }).end();
    case "/short-chain":
      return void response.writeHead(302, { location: hop < 9 ? `/short-chain?hop=${hop + 1}` : "/ok" }).end();
    case "/endless-redirect": {
      response.writeHead(302, { location: "/ok" });
      const pump = () => {
        if (response.destroyed) return;
        state.redirectBodyBytes += 65536;
        if (response.write(Buffer.alloc(65536))) setImmediate(pump);
        else response.once("drain", pump);
      };
      return pump();
    }
    case "/ok":
      return void response.end("hello");
    case "/silent":
      response.writeHead(200, { "content-length": "100" });
      return void response.write("x");
    case "/trickle": {
      response.writeHead(200);
      const timer = setInterval(() => (response.destroyed ? clearInterval(timer) : response.write("x")), 100);
      return;
    }
    case "/big":
      response.writeHead(200, { "content-length": String(10_000) });
      return void response.end(Buffer.alloc(10_000));
    case "/big-undeclared":
      response.writeHead(200);
      return void response.end(Buffer.alloc(10_000));
  }
  response.writeHead(404).end();
}

beforeAll(async () => {
  server = http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function get(urlPath: string, limits: Partial<HttpLimits> = {}): Promise<unknown> {
  const downloader = createDownloader({ connections: 2, retries: 0, limits: { ...DEFAULT_LIMITS, ...limits } });
  try {
    return await downloadTo(downloader, `${base}${urlPath}`, path.join(dir, "out"), ["sha256"]);
  } catch (error) {
    return error;
  } finally {
    await downloader.close();
  }
}

function expectError(error: unknown, code: string, text: string): void {
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).code).toBe(code);
  expect((error as UserError).message).toContain(text);
  expect((error as UserError).message).not.toMatch(/\n|undici|maxRedirections/u);
}

describe("redirects", () => {
  test("a loop names the URL where it loops", async () => {
    expectError(await get("/loop-a"), "HTTP_REDIRECTS", `Failed to download ${base}/loop-a: redirect loop at ${base}/loop-a`);
  });
  test("an 11-hop chain: more than 10 redirects", async () => {
    expectError(await get("/chain"), "HTTP_REDIRECTS", `Failed to download ${base}/chain: more than 10 redirects from ${base}/chain`);
  });
  test("a 10-hop chain is followed", async () => {
    expect(await get("/short-chain")).toBeInstanceOf(Map);
  });
  test("a redirect with an endless body is followed without reading the body", async () => {
    state.redirectBodyBytes = 0;
    expect(await get("/endless-redirect", { idleMs: 5000 })).toBeInstanceOf(Map);
    expect(state.redirectBodyBytes).toBeLessThan(64 * 1024 * 1024);
  });
});

describe("limits", () => {
  test("a body that stops: no data for the idle timeout", async () => {
    expectError(await get("/silent", { idleMs: 500 }), "HTTP_TIMEOUT", `Failed to download ${base}/silent: no data for 0.5 s`);
  });
  test("a trickling body (10 B/s): slower than the low-speed limit", async () => {
    expectError(await get("/trickle", { lowSpeedBytes: 1024, lowSpeedMs: 1000 }), "HTTP_TIMEOUT", `Failed to download ${base}/trickle: slower than 1024 bytes/s for 1 s`);
  });
  test("a body over the maximum size, declared or not", async () => {
    expectError(await get("/big", { maxBytes: 1000 }), "HTTP_TOO_LARGE", `Failed to download ${base}/big: the body is larger than 1000 bytes`);
    expectError(await get("/big-undeclared", { maxBytes: 1000 }), "HTTP_TOO_LARGE", "the body is larger than 1000 bytes");
    expect(await get("/big", { maxBytes: 10_000 })).toBeInstanceOf(Map);
  });
});

describe("httpLimits", () => {
  test("defaults: 60 s idle, 1024 B/s over 60 s, 4 GiB", () => {
    expect(httpLimits({})).toEqual({ idleMs: 60_000, lowSpeedBytes: 1024, lowSpeedMs: 60_000, maxBytes: 4 * 1024 ** 3 });
  });
  test("from the environment (seconds, bytes/s, bytes); a bad value names the variable", () => {
    const env = { OPAM_MONOREPO_HTTP_TIMEOUT: "2", OPAM_MONOREPO_HTTP_LOW_SPEED_LIMIT: "10", OPAM_MONOREPO_HTTP_LOW_SPEED_TIME: "3", OPAM_MONOREPO_HTTP_MAX_SIZE: "99" };
    expect(httpLimits(env)).toEqual({ idleMs: 2000, lowSpeedBytes: 10, lowSpeedMs: 3000, maxBytes: 99 });
    expect(() => httpLimits({ OPAM_MONOREPO_HTTP_TIMEOUT: "soon" })).toThrow(/OPAM_MONOREPO_HTTP_TIMEOUT: expected a non-negative number, got "soon"/u);
  });
});
