// loadUndici: undici's Agent and request() from its inner modules (not its index), sending a
// request the way undici's own request() does: path and query kept, the dispatcher given used.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { afterAll, beforeAll, expect, test } from "vitest";
import { loadUndici, withTrust } from "./undici.js";

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((request, response) => response.writeHead(200, { "content-type": "text/plain" }).end(`${request.method} ${request.url}`));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test("request() sends the path and query through the given agent", async () => {
  const { newAgent, request } = await loadUndici();
  const agent = newAgent({ connections: 1 });
  try {
    const response = await request(`${base}/a%20b/c.tar.gz?x=1&y=%2F`, { dispatcher: agent, method: "GET" });
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe("GET /a%20b/c.tar.gz?x=1&y=%2F");
  } finally {
    await agent.close();
  }
});

test("undici's index (fetch, WebSocket, caching, mocking) is not loaded", async () => {
  await loadUndici();
  const loaded = Object.keys(createRequire(import.meta.url).cache);
  expect(loaded.some((file) => /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]agent\.js$/.test(file))).toBe(true);
  expect(loaded.filter((file) => /[\\/]undici[\\/]index\.js$/.test(file))).toEqual([]);
});

test("withTrust adds the deferred certificates to a caller's connect options, never over them", () => {
  const ca = ["ROOT", "EXTRA"];
  expect(withTrust({ connections: 2 }, ca)).toEqual({ connections: 2, connect: { ca } });
  expect(withTrust({ connect: { timeout: 5 } }, ca)).toEqual({ connect: { timeout: 5, ca } });
  expect(withTrust({ connect: { timeout: 5 } }, null)).toEqual({ connect: { timeout: 5 } });
  expect(withTrust({ connect: { ca: "MINE" } }, ca)).toEqual({ connect: { ca: "MINE" } });
  const connector = () => undefined;
  expect(withTrust({ connect: connector as never }, ca).connect).toBe(connector);
});
