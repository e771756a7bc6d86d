// The MIXED archives of pull-world.ts served on 127.0.0.1 for one test file: set up before its
// tests, removed after them (vitest hooks, so tests only; benchmarks use pull-world.ts).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import type { DuniverseRepo } from "../../src/duniverse/plan.js";
import { serveDirectory, type StaticServer } from "./http.js";
import { buildArchives, MIXED } from "./pull-world.js";
/** A test file's scratch directory with the MIXED archives served on 127.0.0.1 (see servedMixed). */
export interface ServedWorld {
  scratch: string;
  /** Set before the file's tests run. */
  server: StaticServer;
  repos: DuniverseRepo[];
  /** A new path under `scratch` (never used before). */
  fresh(name: string): string;
}

/** Registers the setup (before all tests of the calling file) and the clean-up (after them). */
export function servedMixed(prefix: string): ServedWorld {
  let counter = 0;
  const scratch = mkdtempSync(path.join(os.tmpdir(), prefix));
  const world = { scratch, repos: [], fresh: (name: string) => path.join(scratch, `${name}-${counter++}`) } as unknown as ServedWorld;
  beforeAll(async () => {
    const served = path.join(scratch, "served");
    world.server = await serveDirectory(served);
    world.repos = buildArchives(served, world.server.url, MIXED);
  });
  afterAll(async () => {
    await world.server?.close();
    rmSync(scratch, { recursive: true, force: true });
  });
  return world;
}
