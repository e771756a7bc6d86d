// Two versions (v1, v2) of the same repositories, served on 127.0.0.1 for one test file, with a
// project template holding v1 pulled: the worlds of the kill, signal and concurrency tests.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import type { DuniverseRepo } from "../../src/duniverse/plan.js";
import { runCli } from "./cli.js";
import { serveDirectory, type StaticServer } from "./http.js";
import { buildArchives, defaultTree, type ArchiveSpec } from "./pull-world.js";
import { LOCKFILE_NAME, writePullProject } from "./pull-project.js";
import { freshPaths } from "./testdir.js";

const FORMATS: ArchiveSpec["format"][] = ["tbz", "tar.gz", "tar.xz", "zip", "tar", "tgz", "tar.bz2", "txz"];

export interface VersionedWorld {
  scratch: string;
  server: StaticServer;
  dirs: string[];
  v1: DuniverseRepo[];
  v2: DuniverseRepo[];
  fresh(name: string): string;
  /** A download cache holding every v1 and v2 archive (for pulls that need not download). */
  warmCache: string;
  /** A new project root: v1 already pulled into duniverse/ (unless `pulled` is false), the lock file at v2. */
  project(options?: { pulled?: boolean }): string;
}

export function servedVersions(prefix: string, count = 8): VersionedWorld {
  const scratch = mkdtempSync(path.join(os.tmpdir(), prefix));
  const fresh = freshPaths(scratch);
  const dirs = Array.from({ length: count }, (_, index) => `repo${index}`);
  const world = { scratch, dirs, fresh } as VersionedWorld;
  let template = "";
  beforeAll(async () => {
    const served = path.join(scratch, "served");
    world.server = await serveDirectory(served);
    const specs = (version: string): ArchiveSpec[] =>
      dirs.map((dir, index) => ({ dir, format: FORMATS[index % FORMATS.length]!, file: `${dir}-${version}.${FORMATS[index % FORMATS.length]}`, tree: { ...defaultTree(dir), VERSION: `${version}\n` } }));
    world.v1 = buildArchives(served, world.server.url, specs("v1"));
    world.v2 = buildArchives(served, world.server.url, specs("v2"));
    world.warmCache = fresh("warm-cache");
    template = writePullProject(fresh("template"), world.v2);
    const warmed = await runCli(["pull", "--download-only", "--cache-dir", world.warmCache], { cwd: template, home: scratch });
    writePullProject(template, world.v1);
    const pulled = await runCli(["pull", "--cache-dir", world.warmCache], { cwd: template, home: scratch });
    if (warmed.code !== 0 || pulled.code !== 0) throw new Error(`the template pull failed: ${warmed.stderr}${pulled.stderr}`);
  }, 120_000);
  afterAll(async () => {
    await world.server?.close();
    rmSync(scratch, { recursive: true, force: true });
  });
  world.project = (options = {}) => {
    const root = fresh("root");
    if (options.pulled ?? true) cpSync(template, root, { recursive: true, verbatimSymlinks: true });
    writePullProject(root, world.v2);
    return root;
  };
  return world;
}

export { LOCKFILE_NAME };
