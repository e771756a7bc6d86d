// `pull` of hostile or odd lock files and project states, through the real CLI: directory names
// that are ours, our files, duplicates, nested or odd (one clear error naming the lock file and
// the entry, nothing written); a lock file naming a fake staging directory with a journal (no file
// ever moves outside the project); duniverse/ that is a file or a symlink (refused, untouched).
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { DuniverseRepo } from "../../src/duniverse/plan.js";
import { runCli } from "../helpers/cli.js";
import { LOCKFILE_NAME, writePullProject } from "../helpers/pull-project.js";
import { servedMixed } from "../helpers/pull-served.js";
import { buildArchives } from "../helpers/pull-world.js";

const world = servedMixed("pull-hostile-");
const { fresh, scratch } = world;

const pull = (root: string) => runCli(["pull", "--cache-dir", path.join(scratch, "cache")], { cwd: root, home: scratch });
const renamed = (dirs: string[]): DuniverseRepo[] => dirs.map((dir, index) => ({ ...world.repos[index]!, dir }));

describe("directory names in x-opam-monorepo-duniverse-dirs are checked before anything is written", () => {
  const cases: { name: string; dirs: string[]; entry: string }[] = [
    { name: "a file pull writes (dune)", dirs: ["alpha", "dune"], entry: '"dune"' },
    { name: "a file pull writes (README.md)", dirs: ["README.md", "beta"], entry: '"README.md"' },
    { name: "a duplicate", dirs: ["alpha", "alpha"], entry: '"alpha"' },
    { name: "a name and a name inside it", dirs: ["alpha", "alpha/beta"], entry: '"alpha/beta"' },
    { name: "a hidden name", dirs: [".hidden", "beta"], entry: '".hidden"' },
    { name: "one of our staging names", dirs: [".opam-monorepo-tmp-1-x", "beta"], entry: '".opam-monorepo-tmp-1-x"' },
    { name: "a control character", dirs: ["al\tpha", "beta"], entry: '"al\\tpha"' },
    { name: "a trailing slash", dirs: ["alpha/", "beta"], entry: '"alpha/"' },
  ];
  for (const { name, dirs, entry } of cases) {
    test(`${name}: one [ERROR] naming the lock file and the entry, exit 1, no duniverse/`, async () => {
      const root = writePullProject(fresh("root"), renamed(dirs));
      const before = world.server.requests;
      const result = await pull(root);
      expect(result.stderr).not.toMatch(/unexpected error|internal error|    at /);
      expect(result.stderr).toMatch(/\[ERROR\]/);
      expect(result.stderr).toContain(path.join(root, LOCKFILE_NAME));
      expect(result.stderr).toContain(entry);
      expect(result.code).toBe(1);
      expect(readdirSync(root).sort()).toEqual(["dune-project", LOCKFILE_NAME]);
      expect(world.server.requests).toBe(before);
    });
  }

  test("a directory outside duniverse/ keeps the reference's message", async () => {
    const root = writePullProject(fresh("root"), renamed(["alpha", "../escape"]));
    const result = await pull(root);
    expect(result.code).toBe(1);
    const duniverse = path.join(root, "duniverse");
    expect(result.stderr).toContain(`Refusing to pull ${world.repos[1]!.url} into directory ${duniverse}/../escape as it is not inside the directory ${duniverse}`);
  });
});

test("a lock file naming a dead pull's staging directory, with a journal inside, moves nothing outside the project", async () => {
  const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
  const outside = path.join(scratch, `escaped-${dead}`);
  const served = path.join(scratch, "served");
  const [hostile] = buildArchives(served, world.server.url, [{
    dir: `.opam-monorepo-tmp-${dead}-deadbeef`,
    format: "tar.gz",
    tree: {
      "journal.json": JSON.stringify([`../../${path.basename(outside)}`]),
      ".old/0/payload": "attacker content\n",
      "journal-v2.json": JSON.stringify({ ops: [{ path: `../../${path.basename(outside)}`, action: "replace" }] }),
    },
  }]);
  const root = writePullProject(path.join(scratch, "victim"), [hostile!, world.repos[0]!]);
  const first = await pull(root);
  const second = await pull(root);
  expect(existsSync(outside)).toBe(false);
  expect(readdirSync(scratch).filter((name) => name.startsWith("escaped"))).toEqual([]);
  expect(first.code).toBe(1);
  expect(first.stderr).toContain(`".opam-monorepo-tmp-${dead}-deadbeef"`);
  expect(second.code).toBe(1);
});

describe("duniverse/ that is not a directory is refused and left as it is", () => {
  test("a file", async () => {
    const root = writePullProject(fresh("root"), world.repos);
    writeFileSync(path.join(root, "duniverse"), "not a directory\n");
    const result = await pull(root);
    expect(result.stderr).not.toMatch(/unexpected error|    at /);
    expect(result.stderr).toMatch(new RegExp(`\\[ERROR\\] .*${path.join(root, "duniverse").replace(/[/.]/g, "\\$&")}`));
    expect(result.code).toBe(1);
    expect(readFileSync(path.join(root, "duniverse"), "utf8")).toBe("not a directory\n");
    expect(readdirSync(root).sort()).toEqual(["dune-project", "duniverse", LOCKFILE_NAME]);
  });

  test("a dangling symlink", async () => {
    const root = writePullProject(fresh("root"), world.repos);
    const target = fresh("nowhere");
    symlinkSync(target, path.join(root, "duniverse"));
    const result = await pull(root);
    expect(result.stderr).not.toMatch(/unexpected error|    at /);
    expect(result.stderr).toContain(path.join(root, "duniverse"));
    expect(result.code).toBe(1);
    expect(readlinkSync(path.join(root, "duniverse"))).toBe(target);
    expect(existsSync(target)).toBe(false);
  });

  test("a symlink to a directory elsewhere", async () => {
    const root = writePullProject(fresh("root"), world.repos);
    const elsewhere = fresh("elsewhere");
    mkdirSync(path.join(elsewhere, "keep"), { recursive: true });
    writeFileSync(path.join(elsewhere, "keep/file"), "mine\n");
    symlinkSync(elsewhere, path.join(root, "duniverse"));
    const result = await pull(root);
    expect(result.stderr).not.toMatch(/unexpected error|    at /);
    expect(result.stderr).toContain(path.join(root, "duniverse"));
    expect(result.code).toBe(1);
    expect(lstatSync(path.join(root, "duniverse")).isSymbolicLink()).toBe(true);
    expect(readdirSync(elsewhere)).toEqual(["keep"]);
    expect(readFileSync(path.join(elsewhere, "keep/file"), "utf8")).toBe("mine\n");
  });
});
