// Ordinary but unexpected filesystem states through the real CLI, each one [ERROR] paragraph naming
// the path, exit 1, never a stack trace or a hang: FIFOs and directories where files are read
// (index cache, a repository's opam file, -l /dev/zero), files where directories are expected
// (-r, --cache-dir), non-regular targets, and read-only or full disks (tmpfs when we may mount).
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { projectRoot, runCli, type CliResult } from "../helpers/cli.js";
import { testdir } from "../helpers/testdir.js";

let scratch: string;
let counter = 0;
const mounts: string[] = [];

/** A fresh copy of fixtures/ (the example project and its repositories); returns the example dir. */
function example(): string {
  const fixtures = path.join(scratch, `fixtures-${counter++}`);
  cpSync(path.join(projectRoot, "fixtures"), fixtures, { recursive: true });
  return path.join(fixtures, "example");
}

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(args, { cwd, home: scratch, env });
}

function expectError(result: CliResult, ...texts: string[]): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(/\[ERROR\]/u);
  for (const text of texts) expect(result.stderr).toContain(text);
  expect(result.stderr).not.toMatch(/unexpected error|    at /u);
}

/** A small tmpfs at `dir` (root only); a reason string when mounting is not possible here. */
function mountTmpfs(dir: string, size: string): string | undefined {
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() !== 0) return "not running as root: cannot mount a tmpfs";
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "ignore" });
    mounts.push(dir);
    return undefined;
  } catch {
    return "mount -t tmpfs failed (no CAP_SYS_ADMIN?)";
  }
}

/** Makes `dir` read-only: a read-only remount of a tmpfs as root, chmod 555 otherwise. */
function makeReadOnly(dir: string): void {
  if (mounts.includes(dir)) execFileSync("mount", ["-o", "remount,ro", dir], { stdio: "ignore" });
  else chmodSync(dir, 0o555);
}

beforeAll(async () => {
  scratch = await testdir({}, "om-file-states-");
});

afterAll(() => {
  for (const dir of mounts.reverse()) execFileSync("umount", [dir], { stdio: "ignore" });
});

describe("reading: only regular files, never blocking", () => {
  test("FIFOs in place of the index cache files: lock does not block, and succeeds", async () => {
    const root = example();
    const env = { XDG_CACHE_HOME: path.join(root, "..", "cache") };
    expect((await cli(["lock"], root, env)).code).toBe(0);
    const index = path.join(root, "..", "cache", "opam-monorepo", "index");
    for (const name of readdirSync(index)) {
      rmSync(path.join(index, name));
      execFileSync("mkfifo", [path.join(index, name)]);
    }
    const result = await cli(["lock"], root, env);
    expect(result.code, result.stderr).toBe(0);
  }, 60_000);

  for (const kind of ["FIFO", "directory"] as const) {
    test(`a repository's opam file that is a ${kind}: one error naming it (cold and warm index)`, async () => {
      const root = example();
      const env = { XDG_CACHE_HOME: path.join(root, "..", "cache") };
      expect((await cli(["lock"], root, env)).code).toBe(0);
      const opam = path.join(root, "..", "repos", "example", "packages", "shout", "shout.2.1", "opam");
      rmSync(opam);
      if (kind === "FIFO") execFileSync("mkfifo", [opam]);
      else mkdirSync(opam);
      const what = kind === "FIFO" ? "a named pipe (FIFO)" : "a directory";
      expectError(await cli(["lock"], root, env), `${opam} is ${what}, not a regular file`);
      expectError(await cli(["lock", "--no-index-cache"], root, env), `${opam} is ${what}, not a regular file`);
    }, 60_000);
  }

  test("pull -l /dev/zero is refused, not read until memory runs out", async () => {
    expectError(await cli(["pull", "-l", "/dev/zero"], example()), "/dev/zero is a device, not a regular file");
  });
});

describe("paths that are not what they should be", () => {
  test("-r naming a file (pull and lock)", async () => {
    const root = example();
    for (const command of ["pull", "lock"]) {
      expectError(await cli([command, "-r", "hello.opam"], root), `the project root ${path.join(root, "hello.opam")} (--root) is a regular file, not a directory`);
    }
  });

  test("--cache-dir naming a file", async () => {
    const root = example();
    expect((await cli(["lock"], root)).code).toBe(0);
    const file = path.join(scratch, `cache-file-${counter++}`);
    writeFileSync(file, "");
    expectError(await cli(["pull", "--cache-dir", file], root), `cannot use the download cache ${file}: it is not a directory`);
  }, 60_000);

  test("lock -l naming a FIFO or a directory: refused, left as it is", async () => {
    const root = example();
    const fifo = path.join(root, "x.opam.locked");
    execFileSync("mkfifo", [fifo]);
    expectError(await cli(["lock", "-l", fifo], root), `refusing to write ${fifo}: it is a named pipe (FIFO), not a regular file`);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expectError(await cli(["lock", "-l", "bin"], root), "refusing to write bin: it is a directory, not a regular file");
  }, 60_000);
});

describe("writing to read-only and full disks", () => {
  test("the lock file, in a read-only directory", async () => {
    const root = example();
    const dir = path.join(scratch, `ro-${counter++}`);
    const skip = mountTmpfs(dir, "1m");
    if (skip !== undefined) console.warn(`read-only test uses chmod: ${skip}`);
    makeReadOnly(dir);
    const target = path.join(dir, "x.opam.locked");
    const result = await cli(["lock", "-l", target], root);
    if (skip !== undefined && result.code === 0) return void console.warn("skipped: chmod 555 does not stop this user (root without mount)");
    expectError(result, `cannot write ${target}:`);
  }, 60_000);

  test("dune-workspace, in a read-only project", async () => {
    const dir = path.join(scratch, `ro-ws-${counter++}`);
    const skip = mountTmpfs(dir, "1m");
    if (skip !== undefined) console.warn(`read-only test uses chmod: ${skip}`);
    makeReadOnly(dir);
    const result = await cli(["workspace", "--target", "hvt"], dir);
    if (skip !== undefined && result.code === 0) return void console.warn("skipped: chmod 555 does not stop this user (root without mount)");
    expectError(result, `cannot write ${path.join(dir, "dune-workspace")}:`);
  }, 60_000);

  test("the lock file, on a full disk", async (context) => {
    const root = example();
    const dir = path.join(scratch, `full-${counter++}`);
    const skip = mountTmpfs(dir, "64k");
    if (skip !== undefined) {
      console.warn(`skipping the full-disk test: ${skip}`);
      return context.skip();
    }
    try {
      execFileSync("dd", ["if=/dev/zero", `of=${path.join(dir, "filler")}`, "bs=4k"], { stdio: "ignore" });
    } catch {
      // dd stops with "No space left on device": the disk is full, as wanted.
    }
    const target = path.join(dir, "x.opam.locked");
    expectError(await cli(["lock", "-l", target], root), `cannot write ${target}: no space left on device (ENOSPC)`);
    expect(existsSync(target)).toBe(false);
  }, 60_000);

  test("an unwritable empty download cache: names the cache, not an inner mkdir", async (context) => {
    const root = example();
    expect((await cli(["lock"], root)).code).toBe(0);
    const cache = path.join(scratch, `ro-cache-${counter++}`);
    const skip = mountTmpfs(cache, "1m");
    if (skip !== undefined) {
      console.warn(`skipping the read-only cache test: ${skip}`);
      return context.skip();
    }
    makeReadOnly(cache);
    const mirror = path.join(root, "..", "mirror");
    const result = await cli(["pull", "--cache-dir", cache, "--archive-mirror", mirror], root);
    expectError(result, `cannot use the download cache ${cache}: it is on a read-only file system`);
    expect(result.stderr).not.toMatch(/ENOENT|mkdir/u);
  }, 60_000);
});
