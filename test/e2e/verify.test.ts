// `verify` through the real CLI: a fresh pull verifies; modified, added and removed files, a
// changed mode, a stale directory, a lock file moved on and a missing directory are drift (exit
// 1, listed per repository, also in --json); a duniverse/ pulled by another tool is "unverified".
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { MANIFEST_NAME } from "../../src/duniverse/manifest.js";
import { runCli } from "../helpers/cli.js";
import { writePullProject } from "../helpers/pull-project.js";
import { servedVersions } from "../helpers/pull-versions.js";

const world = servedVersions("verify-");

const verify = (root: string, ...args: string[]) => runCli(["verify", ...args], { cwd: root, home: world.scratch });

/** A project whose duniverse/ holds v1, pulled by this tool, with the lock at v1. */
async function pulledAtV1(): Promise<string> {
  const root = world.project();
  writePullProject(root, world.v1);
  const pulled = await runCli(["pull", "--cache-dir", world.warmCache], { cwd: root, home: world.scratch });
  expect(pulled.code, pulled.stderr).toBe(0);
  return root;
}

test("a pulled duniverse/ verifies (every file hashed); --json says the same", async () => {
  const root = await pulledAtV1();
  const result = await verify(root);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toContain("duniverse/repo0: ok (6 files)");
  expect(result.stdout).toContain("duniverse/ matches the lock file: 8 repositories, 8 as pulled, 0 with drift, 0 unverified");
  const json = await verify(root, "--json");
  expect(json.code).toBe(0);
  const report = JSON.parse(json.stdout);
  expect(report.ok).toBe(true);
  expect(report.manifest).toBe("ok");
  expect(report.repos.map((repo: { status: string }) => repo.status)).toEqual(Array(8).fill("ok"));
});

test("modified, added and removed files, a mode change, a stale directory: drift, exit 1", async () => {
  const root = await pulledAtV1();
  const duniverse = path.join(root, "duniverse");
  writeFileSync(path.join(duniverse, "repo1/src/main.ml"), "let name = \"evil\"\n");
  writeFileSync(path.join(duniverse, "repo1/backdoor.ml"), "()\n");
  unlinkSync(path.join(duniverse, "repo2/run.sh"));
  chmodSync(path.join(duniverse, "repo3/dune-project"), 0o755);
  rmSync(path.join(duniverse, "repo4/src/main.ml"));
  symlinkSync("/etc/passwd", path.join(duniverse, "repo4/src/main.ml"));
  mkdirSync(path.join(duniverse, "stale"));
  const result = await verify(root);
  expect(result.code).toBe(1);
  expect(result.stdout).toContain("duniverse/repo1: 1 modified, 1 added, 0 removed\n  modified src/main.ml\n  added    backdoor.ml\n");
  expect(result.stdout).toContain("duniverse/repo2: 0 modified, 0 added, 1 removed\n  removed  run.sh\n");
  expect(result.stdout).toContain("duniverse/repo3: 1 modified, 0 added, 0 removed\n  modified dune-project\n");
  expect(result.stdout).toContain("duniverse/repo4: 1 modified");
  expect(result.stdout).toContain("duniverse/stale: not in the lock file");
  expect(result.stderr).toContain("[ERROR] duniverse/ differs from the lock file: 8 repositories, 4 as pulled, 4 with drift, 0 unverified, 1 not in the lock file");
  const report = JSON.parse((await verify(root, "--json")).stdout);
  expect(report.ok).toBe(false);
  expect(report.repos[1]).toMatchObject({ dir: "repo1", status: "drift", modified: ["src/main.ml"], added: ["backdoor.ml"], removed: [] });
  expect(report.extra).toEqual(["stale"]);
  // Naming directories verifies only them (and ignores the stale one).
  expect((await verify(root, "repo0", "repo5")).code).toBe(0);
  // A pull puts everything back.
  expect((await runCli(["pull", "--cache-dir", world.warmCache], { cwd: root, home: world.scratch })).code).toBe(0);
  expect((await verify(root)).code).toBe(0);
});

test("a lock file moved on, or a directory missing, is drift", async () => {
  const root = await pulledAtV1();
  writePullProject(root, world.v1.map((repo, index) => (index === 2 ? world.v2[2]! : repo)));
  rmSync(path.join(root, "duniverse/repo6"), { recursive: true });
  const result = await verify(root);
  expect(result.code).toBe(1);
  expect(result.stdout).toContain(`duniverse/repo2: source changed: pulled from ${world.v1[2]!.url}`);
  expect(result.stdout).toContain(`the lock file says ${world.v2[2]!.url}`);
  expect(result.stdout).toContain("duniverse/repo6: missing (not pulled)");
});

test("a duniverse/ pulled by another tool (no manifest) is unverified, not a failure", async () => {
  const root = await pulledAtV1();
  rmSync(path.join(root, "duniverse", MANIFEST_NAME));
  const result = await verify(root);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toContain(`duniverse/repo0: unverified, no ${MANIFEST_NAME}: pulled by another tool or an older version`);
  expect(result.stderr).toContain("unverified repositories have no record of what was pulled");
  const report = JSON.parse((await verify(root, "--json")).stdout);
  expect(report.manifest).toBe("absent");
  expect(report.repos.every((repo: { status: string }) => repo.status === "unverified")).toBe(true);
  writeFileSync(path.join(root, "duniverse", MANIFEST_NAME), "[]");
  const invalid = await verify(root);
  expect(invalid.code).toBe(0);
  expect(invalid.stdout).toContain("is unreadable (not an object)");
  expect(readFileSync(path.join(root, "duniverse", MANIFEST_NAME), "utf8")).toBe("[]");
});
