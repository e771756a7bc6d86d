// A real `opam-monorepo pull` killed with SIGKILL at many moments (a range of delays, and named
// steps through the OPAM_MONOREPO_TEST_KILL_AT hook): after each kill duniverse/ is the old tree
// or the new one (or a commit its journal can undo), the recovery of the next pull leaves exactly
// the old or the new one, and the pull right after the kill succeeds and gives the new one.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { runCli } from "../helpers/cli.js";
import { leftovers, startCliPull, treeState, waitFor, writePullProject, type TreeState } from "../helpers/pull-project.js";
import { servedVersions } from "../helpers/pull-versions.js";

const world = servedVersions("pull-kill-");

/** A kill of the next pull right after its recovery shows what that recovery leaves. */
async function stateAfterRecovery(root: string): Promise<TreeState> {
  const run = startCliPull(root, ["--cache-dir", world.warmCache], { OPAM_MONOREPO_TEST_KILL_AT: "recovered" });
  const result = await run.exited;
  expect(result.signal, result.stderr).toBe("SIGKILL");
  return treeState(path.join(root, "duniverse"), world.dirs);
}

async function pullSucceedsAfterKill(root: string): Promise<void> {
  const next = await runCli(["pull", "--cache-dir", world.warmCache], { cwd: root, home: world.scratch });
  expect(next.stderr).not.toMatch(/unexpected error|internal error/);
  expect(next.code, next.stderr).toBe(0);
  expect(treeState(path.join(root, "duniverse"), world.dirs)).toBe("v2");
  expect(leftovers(root)).toEqual([]);
  expect(leftovers(path.join(root, "duniverse"))).toEqual([]);
}

describe("kills after a delay, mid-download and later", () => {
  const delays = [0, 150, 300, 500, 700, 900, 1200, 1600, 2200];
  for (const pulled of [true, false]) {
    test(`${pulled ? "over an old duniverse/" : "a first pull"}: ${delays.length} kills, each followed by a pull that succeeds`, async () => {
      const old: TreeState = pulled ? "v1" : "absent";
      for (const delay of delays) {
        const root = world.project({ pulled });
        world.server.latencyMs = 300;
        const run = startCliPull(root, ["--cache-dir", world.fresh("cache"), "-j", "3"], {});
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (run.child.exitCode === null) process.kill(run.child.pid!, "SIGKILL");
        await run.exited;
        world.server.latencyMs = 0;
        const after = treeState(path.join(root, "duniverse"), world.dirs);
        expect([old, "v2"], `killed after ${delay} ms`).toContain(after);
        expect([old, "v2"], `recovered after a kill at ${delay} ms`).toContain(await stateAfterRecovery(root));
        await pullSucceedsAfterKill(root);
      }
    }, 300_000);
  }
});

describe("kills at named steps", () => {
  // Steps in the order a pull passes them; `n` counts repeated steps (swap-out:3 = third entry).
  const steps: { step: string; old: boolean; pulled: boolean }[] = [
    { step: "locked", old: true, pulled: true },
    { step: "recovered", old: true, pulled: true },
    { step: "fetched:3", old: true, pulled: true },
    { step: "staged", old: true, pulled: true },
    { step: "journal", old: true, pulled: true },
    { step: "swap-out:1", old: false, pulled: true },
    { step: "swap-in:1", old: false, pulled: true },
    { step: "swap-out:6", old: false, pulled: true },
    { step: "swap-in:9", old: false, pulled: true },
    { step: "committed", old: false, pulled: true },
    { step: "staged", old: true, pulled: false },
    { step: "committed", old: false, pulled: false },
  ];
  for (const { step, old, pulled } of steps) {
    test(`killed at ${step}${pulled ? "" : " of a first pull"}: the next pull recovers and succeeds`, async () => {
      const root = world.project({ pulled });
      const run = startCliPull(root, ["--cache-dir", world.warmCache], { OPAM_MONOREPO_TEST_KILL_AT: step });
      const result = await run.exited;
      expect(result.signal, result.stderr).toBe("SIGKILL");
      const before: TreeState = pulled ? "v1" : "absent";
      const duniverse = path.join(root, "duniverse");
      if (old) expect(treeState(duniverse, world.dirs)).toBe(before);
      if (step === "committed") expect(treeState(duniverse, world.dirs)).toBe("v2");
      const recovered = await stateAfterRecovery(root);
      expect([before, "v2"]).toContain(recovered);
      if (step.startsWith("swap-")) expect(recovered).toBe(before);
      if (!pulled && step === "staged") expect(existsSync(duniverse)).toBe(false);
      await pullSucceedsAfterKill(root);
    }, 120_000);
  }
});

test("the lock of a killed pull does not hold the next one back", async () => {
  const root = world.project();
  const run = startCliPull(root, ["--cache-dir", world.warmCache], { OPAM_MONOREPO_TEST_KILL_AT: "locked" });
  await run.exited;
  await waitFor(() => run.child.exitCode !== null || run.child.signalCode !== null);
  await pullSucceedsAfterKill(root);
}, 60_000);

describe("kills of an incremental pull (one package changed, one edited locally)", () => {
  const kept = ["repo0", "repo1", "repo3", "repo4", "repo6", "repo7"];
  const inodes = (root: string, dirs: readonly string[]) => dirs.map((dir) => statSync(path.join(root, "duniverse", dir)).ino);
  /** "old": repo2 at v1 and repo5 edited; "new": repo2 at v2 and repo5 restored. */
  const incrementalState = (root: string): "old" | "new" | "other" => {
    const read = (file: string) => readFileSync(path.join(root, "duniverse", file), "utf8");
    const state = `${read("repo2/VERSION").trim()} ${read("repo5/src/main.ml")}`;
    return state === "v1 edited\n" ? "old" : state === 'v2 let name = "repo5"\n' ? "new" : "other";
  };
  for (const step of ["staged", "journal", "swap-out:1", "swap-in:1", "swap-in:4", "swap-out:5", "committed"]) {
    test(`killed at ${step}: the tree is the old or the new one, and the next pull gives the new one`, async () => {
      const root = world.project();
      writePullProject(root, world.v1);
      expect((await runCli(["pull", "--cache-dir", world.warmCache], { cwd: root, home: world.scratch })).code).toBe(0);
      writePullProject(root, world.v1.map((repo, index) => (index === 2 ? world.v2[2]! : repo)));
      writeFileSync(path.join(root, "duniverse/repo5/src/main.ml"), "edited\n");
      const before = inodes(root, kept);
      const result = await startCliPull(root, ["--cache-dir", world.warmCache], { OPAM_MONOREPO_TEST_KILL_AT: step }).exited;
      expect(result.signal, result.stderr).toBe("SIGKILL");
      // Mid-swap, duniverse/ is between the two until the journal is rolled back.
      if (!step.startsWith("swap-")) expect(step === "committed" ? "new" : "old").toBe(incrementalState(root));
      if (step === "staged" || step === "journal" || step.startsWith("swap-")) {
        const recovery = await startCliPull(root, ["--cache-dir", world.warmCache], { OPAM_MONOREPO_TEST_KILL_AT: "recovered" }).exited;
        expect(recovery.signal).toBe("SIGKILL");
        expect(incrementalState(root)).toBe("old");
      }
      const next = await runCli(["pull", "--cache-dir", world.warmCache], { cwd: root, home: world.scratch });
      expect(next.code, next.stderr).toBe(0);
      expect(incrementalState(root)).toBe("new");
      expect(inodes(root, kept)).toEqual(before);
      expect(leftovers(path.join(root, "duniverse"))).toEqual([]);
    }, 120_000);
  }
});
