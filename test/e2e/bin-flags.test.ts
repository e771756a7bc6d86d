// The shell lines of bin/opam-monorepo and bin/monorepo choose Node's flags by command: `lock`
// (or a prefix of it from `lo`) gets the V8 flags that shorten it and bound its heap, every other
// command only `--v8-pool-size=1` (a V8 flag would cost Node's built-in code cache). A fake
// `node` first on PATH prints the arguments it was started with.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { projectRoot } from "../helpers/real-data.js";

const LOCK_FLAGS = ["--max-semi-space-size=1", "--v8-pool-size=1", "--no-turbo-inlining", "--concurrent-sparkplug"];
const OTHER_FLAGS = ["--v8-pool-size=1"];

let fakeBin: string;

beforeAll(() => {
  fakeBin = mkdtempSync(path.join(os.tmpdir(), "om-bin-flags-"));
  writeFileSync(path.join(fakeBin, "node"), '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
  chmodSync(path.join(fakeBin, "node"), 0o755);
});

afterAll(() => rmSync(fakeBin, { recursive: true, force: true }));

/** The arguments the fake node got: its flags, the script, then the command line. */
function nodeArgs(entry: string, args: string[]): string[] {
  const bin = path.join(projectRoot(), "bin", entry);
  const run = spawnSync(bin, args, { encoding: "utf8", env: { PATH: `${fakeBin}:${process.env.PATH ?? "/usr/bin:/bin"}` } });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.trimEnd().split("\n");
}

describe.each(["opam-monorepo", "monorepo"])("bin/%s", (entry) => {
  const script = path.join(projectRoot(), "bin", entry);

  it.each([[["lock"]], [["lock", "-l", "x.opam.locked", "--build-only"]], [["lo"]], [["loc", "--help"]], [["-v", "lock"]]])("starts %j with the lock flags", (args) => {
    const got = nodeArgs(entry, args);
    expect(got).toEqual([...LOCK_FLAGS, script, ...args]);
  });

  it.each([[["pull"]], [["list"]], [["--help"]], [["help", "lock"]], [["why", "lock"]], [["l"]], [["log"]], [[]]])("starts %j without V8 flags", (args) => {
    const got = nodeArgs(entry, args);
    expect(got).toEqual([...OTHER_FLAGS, script, ...args]);
  });
});

it("answers --version without starting node", () => {
  const { version } = JSON.parse(readFileSync(path.join(projectRoot(), "package.json"), "utf8")) as { version: string };
  expect(nodeArgs("opam-monorepo", ["--version"])).toEqual([version]);
});
