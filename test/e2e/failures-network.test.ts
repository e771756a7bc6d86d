// Issue 12 item 3: no network. A lock whose archives are on a host that does not resolve
// (`.invalid` never does, and fails locally) and on a refused port of 127.0.0.1: pull and mirror
// recognise each host once, stop trying it, group the failures per host and give the offline hint.
// Before: one "getaddrinfo ENOTFOUND" line per archive, retries, and no hint.
import { createHash } from "node:crypto";
import { createServer } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DuniverseRepo } from "../../src/duniverse/plan.js";
import { runCli } from "../helpers/cli.js";
import { LOCKFILE_NAME, writePullProject } from "../helpers/pull-project.js";
import { removeTestdir, testdir } from "../helpers/testdir.js";

let home: string;
let port: number;

/** A loopback port nothing listens on: bound, then closed. */
function refusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Each archive with its own checksum (equal checksums share one download). */
const repo = (dir: string, url: string): DuniverseRepo => ({ dir, url, hashes: [`sha256=${createHash("sha256").update(dir).digest("hex")}`], provides: [{ name: dir, version: "1.0" }] });

beforeAll(async () => {
  home = await testdir({}, "om-network-");
  port = await refusedPort();
});
afterAll(async () => removeTestdir(home));

function project(name: string): string {
  const repos = [
    ...["a", "b", "c", "d", "e", "f"].map((dir) => repo(dir, `https://nonexistent.invalid/releases/${dir}-1.0.tbz`)),
    repo("g", `http://127.0.0.1:${port}/g-1.0.tar.gz`),
    repo("h", `http://127.0.0.1:${port}/h-1.0.tar.gz`),
  ];
  return writePullProject(path.join(home, name), repos);
}

describe("pull and mirror without network", () => {
  it("pull: one line per unreachable host with its archive count, and the offline hint", async () => {
    const root = project("pull");
    const result = await runCli(["pull", "-l", LOCKFILE_NAME, "-y"], { cwd: root, home, env: { OPAMRETRIES: "5" } });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^opam-monorepo: \[ERROR\] Failed to pull 8 of 8 repositories:\n/);
    expect(result.stderr).toContain("\n  could not resolve nonexistent.invalid (ENOTFOUND): 6 archives\n");
    expect(result.stderr).toContain(`\n  could not connect to 127.0.0.1:${port} (connection refused): 2 archives\n`);
    expect(result.stderr).toMatch(/\nHint: without network access, `opam-monorepo pull --offline` uses only the download cache and local mirrors: fill them where there is network \(`opam-monorepo pull --download-only`, or `opam-monorepo mirror DIR`\) and pass --archive-mirror DIR\n$/);
    expect(result.stderr).not.toMatch(/attempts|getaddrinfo|\n\s+at /);
    expect(result.stderr.trim().split("\n").length).toBe(4);
  });

  it("mirror: the same grouping", async () => {
    const root = project("mirror");
    const result = await runCli(["mirror", "-l", LOCKFILE_NAME, path.join(root, "out")], { cwd: root, home });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^opam-monorepo: \[ERROR\] Failed to mirror 8 of 8 archives:\n/);
    expect(result.stderr).toContain("\n  could not resolve nonexistent.invalid (ENOTFOUND): 6 archives\n");
    expect(result.stderr).toMatch(/Hint: without network access/);
  });

  it("an unreachable --archive-mirror is reported once, not once per archive", async () => {
    const root = project("archive-mirror");
    const result = await runCli(["pull", "-l", LOCKFILE_NAME, "-y", "--archive-mirror", "http://mirror.invalid/opam"], { cwd: root, home });
    expect(result.code).toBe(1);
    expect(result.stderr.match(/Archive mirror http:\/\/mirror\.invalid\/opam failed: .*could not resolve mirror\.invalid/g)?.length ?? 0).toBeLessThanOrEqual(2);
    expect(result.stderr).toContain("could not resolve nonexistent.invalid (ENOTFOUND): 6 archives");
  });
});
