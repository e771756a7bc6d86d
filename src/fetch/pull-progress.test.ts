// The pull's progress line (TTY), its periodic `==>` form (pipes), and the final summary line.
import { expect, test } from "vitest";
import { MemoryReporter, type Reporter } from "../core/reporter.js";
import { newProgress, originText, pulledLine } from "./pull-progress.js";

test("a TTY line with count, bytes, rate, cache reads and the repositories in flight", () => {
  const bars: (string | undefined)[] = [];
  const tty: Reporter = { ...new MemoryReporter(), progress: (line) => void bars.push(typeof line === "function" ? line() : line), info() {}, step() {}, warn() {}, error() {}, debug() {} };
  let clock = 0;
  const bar = newProgress(tty, 3, true, 5000, () => clock);
  clock = 200;
  bar.start("a");
  bar.start("b");
  bar.start("c");
  clock = 1000;
  bar.onBytes(2 * 1048576);
  expect(bars.at(-1)).toBe("[0/3] repositories · 2.0 MiB fetched at 2.0 MiB/s · 3 in flight: a, b, c");
  bar.done("a", "cache");
  expect(bars.at(-1)).toBe("[1/3] repositories · 2.0 MiB fetched at 2.0 MiB/s · 1 read from cache/mirror · 2 in flight: b, c");
  bar.finish();
  expect(bars.at(-1)).toBeUndefined();
});

test("periodic ==> lines without a TTY, and -v lines that say where each came from", () => {
  const plain = new MemoryReporter();
  const lines = newProgress(plain, 2, false, 0);
  lines.start("a");
  lines.done("a", "mirror");
  expect(plain.lines).toEqual(["[INFO] Pulled duniverse/a (read from a mirror)", "==> Pulling: [1/2] repositories · 0 B fetched · 1 read from cache/mirror"]);
});

test("the summary line", () => {
  const origins = originText({ fromCache: 93, fromMirror: 0, git: 1, local: 0 });
  expect(pulledLine(95, 95, 3040870, origins, 21.84)).toBe("Successfully pulled 95/95 repositories (2.9 MiB fetched, 93 from cache, 1 from git) in 21.8 s");
  expect(pulledLine(1, 1, 1536, "", 1)).toBe("Successfully pulled 1/1 repositories (1.5 KiB fetched) in 1.0 s");
  expect(pulledLine(2, 2, 0, "", 0.3)).toBe("Successfully pulled 2/2 repositories (0 B fetched) in 0.3 s");
});
