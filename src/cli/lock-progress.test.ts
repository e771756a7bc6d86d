// The lock's progress line counts the repositories' packages only when it is drawn: off a
// terminal (the reporter draws nothing) the count, a directory listing, is never made.
import { expect, test } from "vitest";
import { TerminalReporter, type Reporter } from "../core/reporter.js";
import { lockProgress } from "./lock-progress.js";

function countingEvent() {
  const calls = { count: 0 };
  return { calls, event: { kind: "opened" as const, label: "repo", packages: () => (calls.count++, 4321) } };
}

test("off a terminal the packages are never counted", () => {
  const { calls, event } = countingEvent();
  const stderr = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;
  const reporter = new TerminalReporter({ program: "opam-monorepo", level: "info", color: false, stdout: stderr, stderr });
  const progress = lockProgress(reporter);
  progress.repositories(1);
  progress.onOpen(event);
  progress.finish();
  expect(calls.count).toBe(0);
});

test("on a terminal the line shows the count", () => {
  const { calls, event } = countingEvent();
  const lines: string[] = [];
  const tty: Reporter = { step() {}, info() {}, debug() {}, warn() {}, error() {}, progress: (line) => void (line !== undefined && lines.push(typeof line === "function" ? line() : line)) };
  const progress = lockProgress(tty);
  progress.repositories(1);
  progress.onOpen(event);
  progress.finish();
  expect(lines[0]).toMatch(/^Reading repositories 1\/1 \(4,321 packages\) · /);
  expect(calls.count).toBe(1);
});
