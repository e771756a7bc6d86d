// SIGINT and SIGTERM sent to a real `opam-monorepo pull` mid-download: it says that duniverse/ is
// unchanged, removes its staging directory, its lock and its decoder FIFOs, and exits 130 / 143;
// a first pull leaves no duniverse/ at all.
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { leftovers, startCliPull, treeState, waitFor } from "../helpers/pull-project.js";
import { servedVersions } from "../helpers/pull-versions.js";

const world = servedVersions("pull-signals-");

const cases = [
  { signal: "SIGINT", code: 130, pulled: true },
  { signal: "SIGTERM", code: 143, pulled: true },
  { signal: "SIGINT", code: 130, pulled: false },
  { signal: "SIGTERM", code: 143, pulled: false },
] as const;

for (const { signal, code, pulled } of cases) {
  test(`${signal} mid-pull${pulled ? "" : " (a first pull)"}: "interrupted; duniverse/ unchanged", nothing left behind, exit ${code}`, async () => {
    const root = world.project({ pulled });
    const tmp = world.fresh("tmp");
    mkdirSync(tmp);
    world.server.latencyMs = 400;
    const startRequests = world.server.requests;
    try {
      const run = startCliPull(root, ["--cache-dir", world.fresh("cache"), "-j", "2"], { TMPDIR: tmp });
      // Some repositories are extracted into the staging directory, others still downloading.
      await waitFor(() => world.server.requests >= startRequests + 4);
      await new Promise((resolve) => setTimeout(resolve, 150));
      process.kill(run.child.pid!, signal);
      const result = await run.exited;
      expect(result.stderr).toContain("interrupted; duniverse/ unchanged");
      expect(result.stderr).not.toMatch(/unexpected error|internal error/);
      expect(result.code).toBe(code);
    } finally {
      world.server.latencyMs = 0;
    }
    expect(treeState(path.join(root, "duniverse"), world.dirs)).toBe(pulled ? "v1" : "absent");
    expect(leftovers(root)).toEqual([]);
    expect(leftovers(path.join(root, "duniverse"))).toEqual([]);
    expect(readdirSync(tmp).filter((name) => name.startsWith("opam-monorepo-decode-"))).toEqual([]);
  }, 60_000);
}

test("SIGINT to a pull waiting for another one: it stops (130) and the other pull finishes undisturbed", async () => {
  const root = world.project();
  const release = world.server.hold();
  try {
    const first = startCliPull(root, ["--cache-dir", world.fresh("cache")], {});
    await waitFor(() => existsSync(path.join(root, ".opam-monorepo-pull.lock")));
    const second = startCliPull(root, ["--cache-dir", world.fresh("cache")], {});
    await waitFor(() => second.output.stdout.includes("Waiting for another pull"));
    process.kill(second.child.pid!, "SIGINT");
    const stopped = await second.exited;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain("interrupted; duniverse/ unchanged");
    release();
    const finished = await first.exited;
    expect(finished.code, finished.stderr).toBe(0);
  } finally {
    release();
  }
  expect(treeState(path.join(root, "duniverse"), world.dirs)).toBe("v2");
  expect(leftovers(root)).toEqual([]);
}, 60_000);
