// The project lock of pull: taken and released, waited for while its owner lives (said once),
// given up after the timeout with a clear error, taken over from a dead owner or a reused pid;
// a file that is not our lock is never deleted.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { MemoryReporter } from "../core/reporter.js";
import { LOCK_NAME, lockProject } from "./project-lock.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "project-lock-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const newRoot = () => mkdtempSync(path.join(scratch, `root-${counter++}-`));
const deadPid = (): number => spawnSync(process.execPath, ["-e", ""]).pid!;

test("taken, released, and taken again; no temp file is left", async () => {
  const root = newRoot();
  const lock = await lockProject(root, { reporter: new MemoryReporter() });
  expect(JSON.parse(readFileSync(path.join(root, LOCK_NAME), "utf8"))).toMatchObject({ pid: process.pid, host: os.hostname() });
  lock.release();
  expect(existsSync(path.join(root, LOCK_NAME))).toBe(false);
  (await lockProject(root, { reporter: new MemoryReporter() })).release();
  lock.release();
  expect(spawnSync("ls", ["-A", root], { encoding: "utf8" }).stdout).toBe("");
});

test("a second pull waits while the first holds the lock, says so once, then proceeds", async () => {
  const root = newRoot();
  const first = await lockProject(root, { reporter: new MemoryReporter() });
  const reporter = new MemoryReporter();
  const second = lockProject(root, { reporter, pollMs: 10 });
  await new Promise((resolve) => setTimeout(resolve, 100));
  first.release();
  (await second).release();
  expect(reporter.lines).toEqual([`==> Waiting for another pull (pid ${process.pid}) to finish…`]);
});

test("the wait is bounded: a clear error names the lock file and the owner", async () => {
  const root = newRoot();
  const first = await lockProject(root, { reporter: new MemoryReporter() });
  const file = path.join(root, LOCK_NAME);
  await expect(lockProject(root, { reporter: new MemoryReporter(), timeoutMs: 50, pollMs: 10 })).rejects.toMatchObject({
    code: "PULL_LOCKED",
    message: `Another pull (pid ${process.pid}) has held ${file} for over 0 s`,
    hint: `wait for it to finish; if no pull is running in this project, delete ${file}`,
  });
  first.release();
});

test("a dead owner's lock, or a reused pid's, is taken over without waiting", async () => {
  for (const holder of [{ pid: deadPid(), host: os.hostname() }, { pid: process.pid, host: os.hostname(), start: "1" }]) {
    const root = newRoot();
    writeFileSync(path.join(root, LOCK_NAME), JSON.stringify(holder));
    const reporter = new MemoryReporter();
    const lock = await lockProject(root, { reporter, timeoutMs: 1000 });
    expect(reporter.lines).toEqual([]);
    expect(JSON.parse(readFileSync(lock.file, "utf8")).pid).toBe(process.pid);
    lock.release();
  }
});

test("an owner on another host is waited for; a file that is not a lock is refused, never deleted", async () => {
  const root = newRoot();
  const file = path.join(root, LOCK_NAME);
  writeFileSync(file, JSON.stringify({ pid: deadPid(), host: "elsewhere.example" }));
  const reporter = new MemoryReporter();
  await expect(lockProject(root, { reporter, timeoutMs: 30, pollMs: 10 })).rejects.toMatchObject({ code: "PULL_LOCKED" });
  expect(reporter.lines[0]).toMatch(/^==> Waiting for another pull \(pid \d+ on elsewhere\.example\) to finish…$/);
  writeFileSync(file, "my notes\n");
  await expect(lockProject(root, { reporter })).rejects.toMatchObject({ code: "PULL_LOCKED", message: `${file} exists but is not a lock written by opam-monorepo` });
  expect(readFileSync(file, "utf8")).toBe("my notes\n");
});

test("release leaves a lock that is no longer ours", async () => {
  const root = newRoot();
  const lock = await lockProject(root, { reporter: new MemoryReporter() });
  const other = JSON.stringify({ pid: 1, host: os.hostname() });
  writeFileSync(lock.file, other);
  lock.release();
  expect(readFileSync(lock.file, "utf8")).toBe(other);
});
