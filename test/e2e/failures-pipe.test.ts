// Issue 12 item 4: a closed stdout (`opam-monorepo list | head -1`) is not an error. lock, list and
// pull finish their work (lock writes its lock file, pull fills duniverse/), print no stack trace and
// keep their exit code. Before: a 25-line Node EPIPE stack trace, exit 1, and no lock file. A stdout
// that cannot be written (a full disk) is one [ERROR] naming it, exit 1, never a stack trace.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, pinnedEnv } from "../helpers/cli.js";
import { copyFixtures, removeTempDirs, type FixtureCopy } from "./plugin-world.js";

let copy: FixtureCopy;
afterAll(removeTempDirs);
beforeAll(async () => {
  copy = await copyFixtures("om-pipe-");
});

interface Closed {
  code: number | null;
  stderr: string;
}

/** Runs the CLI with a stdout pipe whose reading end is closed at once: every write gets EPIPE. */
function runWithClosedStdout(args: string[], options: { closeStderr?: boolean } = {}): Promise<Closed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: copy.example, env: pinnedEnv(copy.dir), stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    if (options.closeStderr === true) child.stderr.destroy();
    else child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

/** `sh -c 'opam-monorepo ARGS | head -1'`: the first line, and the CLI's own exit code. */
function runThroughHead(args: string): Promise<{ first: string; code: string; stderr: string }> {
  const line = `"${process.execPath}" "${cliPath}" ${args} 2>stderr.txt | head -1; echo "\${PIPESTATUS[0]}" > code.txt`;
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", line], { cwd: copy.example, env: pinnedEnv(copy.dir), stdio: ["ignore", "pipe", "inherit"] });
    let first = "";
    child.stdout.on("data", (chunk: Buffer) => (first += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", () => {
      const read = (name: string) => readFileSync(path.join(copy.example, name), "utf8");
      resolve({ first, code: read("code.txt").trim(), stderr: read("stderr.txt") });
    });
  });
}

const NO_TRACE = /^\s+at .*:\d+:\d+\)?$|EPIPE|Unhandled 'error'/m;

describe("a closed stdout", () => {
  it("lock | head -1: the lock file is still written, exit 0, no stack trace", async () => {
    const piped = await runThroughHead("lock --ocaml-version 4.13.1");
    expect(piped.first).toBe("==> Using 1 locally scanned package as the target.\n");
    expect(piped.stderr).not.toMatch(NO_TRACE);
    expect(piped.code).toBe("0");
    expect(readFileSync(path.join(copy.example, "hello.opam.locked"), "utf8")).toMatch(/"shout" \{= "2\.1" & \?vendor\}/);
    const closed = await runWithClosedStdout(["lock", "--ocaml-version", "4.13.1", "-l", "closed.opam.locked", "hello"]);
    expect(closed.stderr).not.toMatch(NO_TRACE);
    expect(closed.code, closed.stderr).toBe(0);
    expect(existsSync(path.join(copy.example, "closed.opam.locked"))).toBe(true);
  });

  it("list and pull with stdout (and stderr) closed: quiet, and pull still fills duniverse/", async () => {
    const list = await runWithClosedStdout(["list", "-l", "hello.opam.locked"]);
    expect(list, list.stderr).toEqual({ code: 0, stderr: "" });
    const mirror = path.join(copy.fixtures, "mirror");
    const pull = await runWithClosedStdout(["pull", "--archive-mirror", mirror, "--offline", "-l", "hello.opam.locked"], { closeStderr: true });
    expect(pull.code).toBe(0);
    expect(readFileSync(path.join(copy.example, "duniverse", "shout", "src", "shout.ml"), "utf8")).toContain("Shout_utils");
    const head = await runThroughHead("list -l hello.opam.locked");
    expect(head.code).toBe("0");
    expect(head.stderr).not.toMatch(NO_TRACE);
  });

  it("an error with stderr closed still exits 1, without a trace", async () => {
    const missing = await runWithClosedStdout(["list", "-l", "no-such.opam.locked"], { closeStderr: true });
    expect(missing.code).toBe(1);
  });
});

/** Runs the CLI with stdout (and, when asked, stderr) on /dev/full: every write fails with ENOSPC. */
function runOnFullDevice(args: string[], options: { stderrFull?: boolean } = {}): Promise<Closed> {
  return new Promise((resolve, reject) => {
    const full = openSync("/dev/full", "w");
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: copy.example, env: pinnedEnv(copy.dir), stdio: ["ignore", full, options.stderrFull === true ? full : "pipe"] });
    closeSync(full);
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

const FULL = "opam-monorepo: [ERROR] cannot write standard output: no space left on device (ENOSPC)\n";

describe.skipIf(!existsSync("/dev/full"))("stdout on a full disk (/dev/full)", () => {
  it("list, --help and lock stop with one [ERROR] naming standard output, exit 1, no stack trace", async () => {
    for (const args of [["list", "-l", "hello.opam.locked"], ["--help"], ["list", "--json", "-l", "hello.opam.locked"]]) {
      const run = await runOnFullDevice(args);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr.startsWith(FULL), run.stderr).toBe(true);
      expect(run.stderr).toContain("Hint: the output goes to a file or device that cannot take it");
      expect(run.stderr).not.toMatch(NO_TRACE);
    }
    const lock = await runOnFullDevice(["lock", "--ocaml-version", "4.13.1", "-l", "full.opam.locked", "hello"]);
    expect(lock.code, lock.stderr).toBe(1);
    expect(lock.stderr.startsWith(FULL), lock.stderr).toBe(true);
    expect(existsSync(path.join(copy.example, "full.opam.locked"))).toBe(false);
  });

  it("with stderr full too, the exit code still says it", async () => {
    const run = await runOnFullDevice(["list", "-l", "hello.opam.locked"], { stderrFull: true });
    expect(run.code).toBe(1);
  });
});
