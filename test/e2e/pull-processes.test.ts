// pull as real processes: one killed (SIGKILL, SIGINT) in the middle leaves the previous
// duniverse/ intact and the next pull cleans up; two pulls sharing one download cache at once.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { pullDuniverse } from "../../src/duniverse/pull.js";
import { silentReporter } from "../../src/core/reporter.js";
import { DownloadCache } from "../../src/fetch/cache.js";
import { MIXED } from "../helpers/pull-world.js";
import { servedMixed } from "../helpers/pull-served.js";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const world = servedMixed("pull-proc-");
const { scratch, fresh } = world;

function startPull(root: string, cacheDir: string, jobs = 4, force = false) {
  const child = spawn(path.join(projectRoot, "node_modules/.bin/vite-node"), [path.join(projectRoot, "test/e2e/pull-child.script.ts"), JSON.stringify({ root, repos: world.repos, cacheDir, jobs, force })], {
    cwd: projectRoot,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, exited };
}

async function goodPull(root: string, cacheDir = fresh("cache")) {
  return pullDuniverse({
    root, repos: world.repos, keepGitDir: false, keepSymlinkedDir: false, jobs: 4, retries: 1, cache: new DownloadCache(cacheDir),
    mirrors: [], offline: false, noChecksums: false, requireChecksums: false, reporter: silentReporter,
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const stagingDirs = (duniverse: string) => readdirSync(duniverse).filter((name) => name.startsWith(".opam-monorepo-tmp-"));

for (const signal of ["SIGKILL", "SIGINT"] as const) {
  test(`a pull killed with ${signal} mid-way leaves the old duniverse; the next pull cleans up`, async () => {
    const root = fresh("root");
    await goodPull(root);
    const duniverse = path.join(root, "duniverse");
    writeFileSync(path.join(duniverse, "alpha/marker.ml"), "from the first pull\n");
    const before = readdirSync(duniverse).filter((name) => !name.startsWith(".")).sort();
    world.server.latencyMs = 400;
    const startRequests = world.server.requests;
    const { child, exited } = startPull(root, fresh("cache"), 2, true);
    try {
      // Killed once some repositories are done and others are still downloading (forced: an
    // incremental pull would keep the unchanged directories and download only alpha).
      await waitFor(() => world.server.requests >= startRequests + 4);
      process.kill(-child.pid!, signal);
      const result = await exited;
      expect(result.code === 0).toBe(false);
    } finally {
      world.server.latencyMs = 0;
    }
    expect(readdirSync(duniverse).filter((name) => !name.startsWith(".")).sort()).toEqual(before);
    expect(readFileSync(path.join(duniverse, "alpha/marker.ml"), "utf8")).toBe("from the first pull\n");
    expect(stagingDirs(duniverse).length).toBe(1);
    const summary = await goodPull(root);
    expect(summary).toMatchObject({ pulled: 1, kept: MIXED.length - 1, replaced: [{ dir: "alpha", reason: "1 file added, replaced" }] });
    expect(stagingDirs(duniverse)).toEqual([]);
    expect(existsSync(path.join(duniverse, "alpha/marker.ml"))).toBe(false);
    expect(readdirSync(root)).toEqual(["duniverse"]);
  });
}

test("two processes pulling through one cache at once both succeed and leave it valid", async () => {
  const cacheDir = fresh("shared-cache");
  world.server.latencyMs = 50;
  const startRequests = world.server.requests;
  const release = world.server.hold();
  try {
    const runs = [startPull(fresh("root"), cacheDir, 4), startPull(fresh("root"), cacheDir, 4)];
    // Both processes have requests in flight before any is answered: they truly overlap.
    await waitFor(() => world.server.requests >= startRequests + 8);
    release();
    const results = await Promise.all(runs.map((run) => run.exited));
    expect(world.server.requests - startRequests).toBeGreaterThanOrEqual(world.repos.length + 4);
    for (const result of results) {
      expect(result.stderr.replace(/\n$/, "")).not.toMatch(/ERROR|Error/);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).pulled).toBe(MIXED.length);
    }
  } finally {
    release();
    world.server.latencyMs = 0;
  }
  let entries = 0;
  for (const algo of ["sha256", "sha512", "md5"]) {
    const algoDir = path.join(cacheDir, algo);
    if (!existsSync(algoDir)) continue;
    for (const prefix of readdirSync(algoDir)) {
      for (const name of readdirSync(path.join(algoDir, prefix))) {
        const file = path.join(algoDir, prefix, name);
        expect(statSync(file).isFile()).toBe(true);
        expect(createHash(algo).update(readFileSync(file)).digest("hex")).toBe(name);
        entries++;
      }
    }
  }
  expect(entries).toBe(world.repos.reduce((sum, repo) => sum + repo.hashes.length, 0));
  expect(readdirSync(path.join(cacheDir, ".opam-monorepo-tmp"))).toEqual([]);
});
