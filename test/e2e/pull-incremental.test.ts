// Incremental `pull` through the real CLI: a re-pull with an unchanged lock touches nothing, a
// one-package change re-extracts only that directory, local edits are replaced and named, a
// touched but unchanged file is kept, --force and a missing manifest pull everything again.
import { readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { MANIFEST_NAME, readManifest } from "../../src/duniverse/manifest.js";
import { runCli } from "../helpers/cli.js";
import { writePullProject } from "../helpers/pull-project.js";
import { servedVersions } from "../helpers/pull-versions.js";

const world = servedVersions("pull-incremental-");

/** The inode of each directory: a kept directory keeps it, a re-extracted one gets a new one. */
const inodes = (root: string) => Object.fromEntries(world.dirs.map((dir) => [dir, statSync(path.join(root, "duniverse", dir)).ino]));
const changedDirs = (before: Record<string, number>, after: Record<string, number>) => world.dirs.filter((dir) => before[dir] !== after[dir]);
const version = (root: string, dir: string) => readFileSync(path.join(root, "duniverse", dir, "VERSION"), "utf8").trim();

async function pull(root: string, ...args: string[]) {
  const result = await runCli(["pull", "--cache-dir", world.warmCache, ...args], { cwd: root, home: world.scratch });
  expect(result.stderr).not.toMatch(/unexpected error|internal error/);
  expect(result.code, result.stderr).toBe(0);
  return result;
}

/** A project whose duniverse/ holds v1, pulled by this tool, with the lock at v1. */
function pulledAtV1(): string {
  const root = world.project();
  writePullProject(root, world.v1);
  return root;
}

test("a re-pull with an unchanged lock keeps every directory and sends no request", async () => {
  // A copied tree (new times: every stat differs) is kept on its digests, and its stats recorded.
  const root = pulledAtV1();
  const before = inodes(root);
  const requests = world.server.requests;
  const result = await pull(root);
  expect(result.stdout).toMatch(/Successfully pulled 8\/8 repositories \(0 B fetched, 8 unchanged since the last pull, kept as they were\) in [0-9.]+ s/);
  expect(changedDirs(before, inodes(root))).toEqual([]);
  expect(world.server.requests).toBe(requests);
  // Then nothing is written at all: the manifest stays the same file.
  const manifest = statSync(path.join(root, "duniverse", MANIFEST_NAME));
  await pull(root);
  expect(statSync(path.join(root, "duniverse", MANIFEST_NAME)).ino).toBe(manifest.ino);
  expect(statSync(path.join(root, "duniverse", MANIFEST_NAME)).mtimeMs).toBe(manifest.mtimeMs);
  expect(changedDirs(before, inodes(root))).toEqual([]);
});

test("a one-package change re-extracts that directory only; a stale directory goes", async () => {
  const root = pulledAtV1();
  mkdirSync(path.join(root, "duniverse/stale"));
  const before = inodes(root);
  writePullProject(root, world.v1.map((repo, index) => (index === 2 ? world.v2[2]! : repo)));
  const result = await pull(root);
  expect(result.stdout).toMatch(/Successfully pulled 8\/8 repositories \([^)]*7 unchanged since the last pull/);
  expect(changedDirs(before, inodes(root))).toEqual(["repo2"]);
  expect(version(root, "repo2")).toBe("v2");
  expect(version(root, "repo3")).toBe("v1");
  expect(() => statSync(path.join(root, "duniverse/stale"))).toThrow();
  const manifest = readManifest(path.join(root, "duniverse"));
  expect(manifest.kind === "ok" && manifest.manifest.repos.repo2!.source.url).toBe(world.v2[2]!.url);
});

test("local edits are replaced and named; a touched but unchanged file is kept", async () => {
  const root = pulledAtV1();
  const duniverse = path.join(root, "duniverse");
  writeFileSync(path.join(duniverse, "repo5/src/main.ml"), "edited\n");
  writeFileSync(path.join(duniverse, "repo6/extra.ml"), "added\n");
  unlinkSync(path.join(duniverse, "repo7/run.sh"));
  utimesSync(path.join(duniverse, "repo1/src/main.ml"), new Date(2001, 1, 1), new Date(2001, 1, 1));
  const before = inodes(root);
  const result = await pull(root);
  expect(result.stderr).toContain("duniverse/repo5: 1 file modified locally, replaced");
  expect(result.stderr).toContain("duniverse/repo6: 1 file added, replaced");
  expect(result.stderr).toContain("duniverse/repo7: 1 file removed, replaced");
  expect(result.stderr).not.toContain("repo1");
  expect(changedDirs(before, inodes(root))).toEqual(["repo5", "repo6", "repo7"]);
  expect(readFileSync(path.join(duniverse, "repo5/src/main.ml"), "utf8")).toBe('let name = "repo5"\n');
  expect(statSync(path.join(duniverse, "repo7/run.sh")).isFile()).toBe(true);
  // The new manifest records repo1's new stat: the next pull need not hash it again.
  const again = await pull(root);
  expect(again.stderr).not.toContain("replaced");
  expect(again.stdout).toContain("(8 unchanged");
});

test("--force, a missing manifest and a changed --keep-git-dir pull everything again", async () => {
  const root = pulledAtV1();
  let before = inodes(root);
  await pull(root, "--force");
  expect(changedDirs(before, inodes(root))).toEqual(world.dirs);
  before = inodes(root);
  rmSync(path.join(root, "duniverse", MANIFEST_NAME));
  const result = await pull(root);
  expect(result.stderr).not.toContain("replaced");
  expect(changedDirs(before, inodes(root))).toEqual(world.dirs);
  before = inodes(root);
  await pull(root, "--keep-git-dir");
  expect(changedDirs(before, inodes(root))).toEqual(world.dirs);
});

test("a partial pull keeps the records of the other directories; a corrupt manifest is reported", async () => {
  const root = pulledAtV1();
  writeFileSync(path.join(root, "duniverse/repo3/src/main.ml"), "edited\n");
  const before = inodes(root);
  await pull(root, "repo3");
  expect(changedDirs(before, inodes(root))).toEqual(["repo3"]);
  const manifest = readManifest(path.join(root, "duniverse"));
  expect(manifest.kind === "ok" && Object.keys(manifest.manifest.repos).sort()).toEqual(world.dirs);
  writeFileSync(path.join(root, "duniverse", MANIFEST_NAME), "{ not json");
  const result = await pull(root);
  expect(result.stderr).toContain(`duniverse/${MANIFEST_NAME} is not a manifest this tool wrote`);
  expect(readManifest(path.join(root, "duniverse")).kind).toBe("ok");
});
