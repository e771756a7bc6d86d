// `pull` against hostile servers, through the real CLI: a redirect loop, an 11-hop chain, a
// redirect whose body never ends and a server trickling bytes each end in one [ERROR] naming the
// URL, exit 1, quickly (the limits are shortened through their environment variables).
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { runCli } from "../helpers/cli.js";
import { writePullProject } from "../helpers/pull-project.js";
import { testdir } from "../helpers/testdir.js";

let server: http.Server;
let base: string;
let scratch: string;
let counter = 0;

function handle(request: http.IncomingMessage, response: http.ServerResponse): void {
  const url = new URL(request.url ?? "/", base);
  const hop = Number(url.searchParams.get("hop") ?? "0");
  if (url.pathname === "/loop.tar.gz" && url.search === "") return void response.writeHead(302, { location: "/loop.tar.gz?again" }).end();
  if (url.pathname === "/loop.tar.gz") return void response.writeHead(302, { location: "/loop.tar.gz" }).end();
  if (url.pathname === "/chain.tar.gz") return void response.writeHead(302, { location: `/chain.tar.gz?hop=${hop + 1}` }).end();
  if (url.pathname === "/endless.tar.gz") {
    response.writeHead(302, { location: "/trickle.tar.gz" });
    const pump = () => !response.destroyed && (response.write(Buffer.alloc(65536)) ? setImmediate(pump) : response.once("drain", pump));
    return void pump();
  }
  if (url.pathname === "/trickle.tar.gz") {
    response.writeHead(200);
    const timer = setInterval(() => (response.destroyed ? clearInterval(timer) : response.write("x")), 200);
    return;
  }
  response.writeHead(404).end();
}

beforeAll(async () => {
  scratch = await testdir({}, "om-pull-network-");
  server = http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const LIMITS = { OPAM_MONOREPO_HTTP_LOW_SPEED_TIME: "1", OPAM_MONOREPO_HTTP_TIMEOUT: "5", OPAMRETRIES: "0" };

async function pullFrom(name: string) {
  const url = `${base}/${name}`;
  const root = writePullProject(path.join(scratch, `p${counter++}`), [{ dir: "a", url, hashes: [`sha256=${"1".repeat(64)}`], provides: [{ name: "a", version: "1" }] }]);
  const result = await runCli(["pull", "--cache-dir", path.join(scratch, "cache")], { cwd: root, home: scratch, env: LIMITS });
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(/\[ERROR\]/u);
  expect(result.stderr).not.toMatch(/unexpected error|    at |undici|maxRedirections/u);
  return { url, stderr: result.stderr };
}

test("a redirect loop: one error naming the URL where it loops", async () => {
  const { url, stderr } = await pullFrom("loop.tar.gz");
  expect(stderr).toContain(`Failed to download ${url}: redirect loop at ${url}\n`);
});

test("an 11-hop chain: more than 10 redirects", async () => {
  const { url, stderr } = await pullFrom("chain.tar.gz");
  expect(stderr).toContain(`Failed to download ${url}: more than 10 redirects from ${url}`);
});

test("a redirect with an endless body, to a server trickling 5 B/s: the body is not read, the trickle is cut", async () => {
  const { url, stderr } = await pullFrom("endless.tar.gz");
  expect(stderr).toContain(`Failed to download ${url}: slower than 1024 bytes/s for 1 s`);
});
