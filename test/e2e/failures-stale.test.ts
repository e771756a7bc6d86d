// Issue 12 item 8: a stale lock. After a dependency is added to an opam file, pull, list and why
// warn that the lock file does not satisfy it any more (and say to run lock); `pull --locked`
// refuses (exit 1, duniverse/ untouched). Filters count as lock counted them (with-test only
// without --build-only). Before: all three said nothing. The lock file format is unchanged.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { copyFixtures, removeTempDirs, show, type FixtureCopy } from "./plugin-world.js";

let copy: FixtureCopy;
let original: string;
const cli = (args: string[]): Promise<CliResult> => runCli(args, { cwd: copy.example, home: copy.dir });
const opamFile = () => path.join(copy.example, "hello.opam");
const addDepends = (lines: string[]) =>
  writeFileSync(opamFile(), original.replace('  "shout" {>= "2.0"}\n', `  "shout" {>= "2.0"}\n${lines.map((l) => `  ${l}\n`).join("")}`));
const STALE = /\[WARNING\] the lock file does not satisfy hello\.opam any more \(yojson is missing, greet 1\.0 does not satisfy >= 9\): run `opam-monorepo lock`/;

afterAll(removeTempDirs);
beforeAll(async () => {
  copy = await copyFixtures("om-stale-");
  original = readFileSync(opamFile(), "utf8");
  const lock = await cli(["lock", "--ocaml-version", "4.13.1", "--build-only"]);
  expect(lock.code, show(lock)).toBe(0);
});

describe("a lock file older than the opam files", () => {
  it("a fresh lock: list, why and pull --locked say nothing", async () => {
    for (const args of [["list"], ["why", "greet"]]) {
      const result = await cli(args);
      expect(result.code, show(result)).toBe(0);
      expect(result.stderr).toBe("");
    }
    const pull = await cli(["pull", "--locked", "--archive-mirror", path.join(copy.fixtures, "mirror"), "--offline", "-y"]);
    expect(pull.code, show(pull)).toBe(0);
    expect(pull.stderr).toBe("");
  });

  it("a new dependency and a raised bound: list, why and pull warn; pull --locked refuses", async () => {
    const lockBefore = readFileSync(path.join(copy.example, "hello.opam.locked"), "utf8");
    addDepends(['"yojson"', '"greet" {>= "9"}', '"alcotest" {with-test}', '"mirage-only" {?monorepo}']);
    const list = await cli(["list"]);
    expect(list.code, show(list)).toBe(0);
    expect(list.stderr.split("\n")[0]).toMatch(STALE);
    expect(list.stderr).not.toMatch(/alcotest|mirage-only/);
    // why re-solves the opam files (which now fail), after the same warning.
    const why = await cli(["why", "greet"]);
    expect(why.stderr.split("\n")[0]).toMatch(STALE);
    const mirror = ["--archive-mirror", path.join(copy.fixtures, "mirror"), "--offline", "-y"];
    const locked = await cli(["pull", "--locked", ...mirror]);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toBe(
      "opam-monorepo: [ERROR] the lock file does not satisfy hello.opam any more (yojson is missing, greet 1.0 does not satisfy >= 9); --locked refuses to pull it\n" +
        "Hint: run `opam-monorepo lock` and commit the lock file, or pull without --locked\n",
    );
    const pull = await cli(["pull", ...mirror]);
    expect(pull.code, show(pull)).toBe(0);
    expect(pull.stderr).toMatch(STALE);
    expect(existsSync(path.join(copy.example, "duniverse", "greet"))).toBe(true);
    // The check reads the lock file; it never writes it.
    expect(readFileSync(path.join(copy.example, "hello.opam.locked"), "utf8")).toBe(lockBefore);
  });
});
