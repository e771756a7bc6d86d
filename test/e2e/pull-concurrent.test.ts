// Two real `opam-monorepo pull`s started at once in one project, many rounds: the second waits for
// the first (and says so), both succeed, and duniverse/ ends as the new tree with nothing left
// behind; the old tree is never the only copy of anything that gets deleted.
import path from "node:path";
import { expect, test } from "vitest";
import { leftovers, startCliPull, treeState, waitFor } from "../helpers/pull-project.js";
import { servedVersions } from "../helpers/pull-versions.js";

const world = servedVersions("pull-concurrent-");

test("two pulls at once, 8 rounds: one waits for the other, both succeed, duniverse/ is the new tree", async () => {
  world.server.latencyMs = 60;
  try {
    for (let round = 0; round < 8; round++) {
      const root = world.project({ pulled: round % 2 === 0 });
      const cache = world.fresh("cache");
      const release = world.server.hold();
      const runs = [startCliPull(root, ["--cache-dir", cache], {}), startCliPull(root, ["--cache-dir", cache], {})];
      // The server answers nothing until one pull says it waits: the two truly overlap.
      await waitFor(() => runs.some((run) => run.output.stdout.includes("Waiting for another pull")), 20_000).catch(() => undefined);
      release();
      const results = await Promise.all(runs.map((run) => run.exited));
      for (const result of results) {
        expect(result.stderr, `round ${round}`).not.toMatch(/unexpected error|internal error/);
        expect(result.code, `round ${round}: ${result.stderr}`).toBe(0);
      }
      const waited = results.filter((result) => /Waiting for another pull \(pid \d+\) to finish/.test(result.stdout));
      expect(waited.length, `round ${round}`).toBe(1);
      expect(treeState(path.join(root, "duniverse"), world.dirs)).toBe("v2");
      expect(leftovers(root)).toEqual([]);
      expect(leftovers(path.join(root, "duniverse"))).toEqual([]);
    }
  } finally {
    world.server.latencyMs = 0;
  }
}, 300_000);
