// The staging directory and its commit: a first pull is one rename, a pull over duniverse/ swaps
// entry by entry under a journal; recovery (recovery.ts) rolls an interrupted commit back, leaves
// live pulls' directories alone, and never acts on a journal it could not have written.
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { silentReporter } from "../core/reporter.js";
import { readJournal, recoverLeftovers } from "./recovery.js";
import { commitStaging, createStaging, duniverseState, fullPullOps, processAlive, rollBack, type SwapOp } from "./staging.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "staging-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const deadPid = (): number => spawnSync(process.execPath, ["-e", ""]).pid!;
const newRoot = () => path.join(scratch, `root-${counter++}`);

function tree(dir: string, entries: Record<string, string>): void {
  for (const [name, content] of Object.entries(entries)) {
    mkdirSync(path.join(dir, name), { recursive: true });
    writeFileSync(path.join(dir, name, "v"), content);
  }
}
const versions = (dir: string) => Object.fromEntries(readdirSync(dir).filter((n) => !n.startsWith(".")).sort().map((n) => [n, readFileSync(path.join(dir, n, "v"), "utf8")]));

test("a first pull stages beside duniverse/ (none is created early) and commits by one rename", async () => {
  const root = newRoot();
  mkdirSync(root);
  const duniverse = path.join(root, "duniverse");
  const staging = await createStaging(root, duniverse);
  expect([staging.fresh, path.dirname(staging.dir)]).toEqual([true, root]);
  expect(existsSync(duniverse)).toBe(false);
  tree(staging.newDir, { a: "new", b: "new" });
  await commitStaging(duniverse, staging, await fullPullOps(duniverse, staging));
  expect(versions(duniverse)).toEqual({ a: "new", b: "new" });
  expect(readdirSync(root)).toEqual(["duniverse"]);
});

test("a full pull over duniverse/ replaces every entry, removes the others, keeps nothing behind", async () => {
  const root = newRoot();
  const duniverse = path.join(root, "duniverse");
  tree(duniverse, { a: "old", stale: "old" });
  symlinkSync("../elsewhere", path.join(duniverse, "link"));
  const staging = await createStaging(root, duniverse);
  tree(staging.newDir, { a: "new", b: "new" });
  const ops = await fullPullOps(duniverse, staging);
  expect(ops).toEqual([{ action: "replace", name: "a" }, { action: "replace", name: "b" }, { action: "remove", name: "link" }, { action: "remove", name: "stale" }]);
  await commitStaging(duniverse, staging, ops);
  expect(readdirSync(duniverse).sort()).toEqual(["a", "b"]);
  expect(versions(duniverse)).toEqual({ a: "new", b: "new" });
});

test("duniverse/ that is a file or any symlink is refused", () => {
  const root = newRoot();
  mkdirSync(root);
  const duniverse = path.join(root, "duniverse");
  expect(duniverseState(duniverse)).toBe("absent");
  symlinkSync(path.join(root, "nowhere"), duniverse);
  expect(() => duniverseState(duniverse)).toThrow(/is a symbolic link/);
  rmSync(duniverse);
  writeFileSync(duniverse, "");
  expect(() => duniverseState(duniverse)).toThrow(/is a file/);
});

/** A dead pull's staging in duniverse/ after `done` of `ops` (journal written, first `done` ops swapped). */
function interruptedCommit(duniverse: string, ops: SwapOp[], done: number): string {
  const staging = path.join(duniverse, `.opam-monorepo-tmp-${deadPid()}-0000abcd`);
  mkdirSync(path.join(staging, "old"), { recursive: true });
  mkdirSync(path.join(staging, "new"), { recursive: true });
  writeFileSync(path.join(staging, "journal.json"), JSON.stringify({ ops }));
  for (const [index, op] of ops.entries()) {
    if (op.action === "replace") tree(path.join(staging, "new"), { [op.name]: "new" });
    if (index >= done) continue;
    if (existsSync(path.join(duniverse, op.name))) {
      rmSync(path.join(duniverse, op.name), { recursive: true });
      tree(path.join(staging, "old"), { [String(index)]: "old" });
    }
    if (op.action === "replace") {
      rmSync(path.join(staging, "new", op.name), { recursive: true });
      tree(duniverse, { [op.name]: "new" });
    }
  }
  return staging;
}

test("an interrupted commit is rolled back at every point; a live pull's staging is left alone", async () => {
  const ops: SwapOp[] = [{ action: "replace", name: "a" }, { action: "replace", name: "b" }, { action: "remove", name: "c" }, { action: "replace", name: "d" }];
  for (let done = 0; done <= ops.length; done++) {
    const root = newRoot();
    const duniverse = path.join(root, "duniverse");
    tree(duniverse, { a: "old", b: "old", c: "old" });
    const staging = interruptedCommit(duniverse, ops, done);
    const live = await createStaging(root, duniverse);
    await recoverLeftovers(root, duniverse, silentReporter);
    expect(versions(duniverse), `after ${done} ops`).toEqual({ a: "old", b: "old", c: "old" });
    expect(existsSync(staging)).toBe(false);
    expect(existsSync(live.dir)).toBe(true);
    rmSync(live.dir, { recursive: true });
  }
});

test("roll-back is idempotent: killed during a roll-back, the next one finishes it", async () => {
  const ops: SwapOp[] = [{ action: "replace", name: "a" }, { action: "replace", name: "b" }];
  const root = newRoot();
  const duniverse = path.join(root, "duniverse");
  tree(duniverse, { a: "old", b: "old" });
  const staging = interruptedCommit(duniverse, ops, 2);
  // The first move of a roll-back (the new `b` back into new/) happened; then the process died.
  renameSync(path.join(duniverse, "b"), path.join(staging, "new/b"));
  await rollBack(duniverse, staging, ops);
  await rollBack(duniverse, staging, ops);
  expect(versions(duniverse)).toEqual({ a: "old", b: "old" });
});

test("recovery ignores journals it could not have written, and never moves anything out of duniverse/", async () => {
  const root = newRoot();
  const duniverse = path.join(root, "duniverse");
  tree(duniverse, { keep: "old" });
  const outside = path.join(root, "outside");
  const victim = path.join(scratch, `victim-${counter++}`);
  tree(victim, { secret: "victim" });
  const hostile: [string, unknown, (staging: string) => void][] = [
    ["escaping name", { ops: [{ action: "replace", name: "../outside" }] }, () => undefined],
    ["absolute name", { ops: [{ action: "replace", name: outside }] }, () => undefined],
    ["nested name", { ops: [{ action: "remove", name: "keep/x" }] }, () => undefined],
    ["staging name", { ops: [{ action: "remove", name: ".opam-monorepo-tmp-1-00000000" }] }, () => undefined],
    ["unknown action", { ops: [{ action: "move", name: "keep" }] }, () => undefined],
    ["legacy array", ["keep"], () => undefined],
    ["old/ is a symlink out", { ops: [{ action: "remove", name: "keep" }] }, (staging) => symlinkSync(victim, path.join(staging, "old"))],
  ];
  for (const [label, journal, prepare] of hostile) {
    const staging = path.join(duniverse, `.opam-monorepo-tmp-${deadPid()}-00000001`);
    mkdirSync(path.join(staging, "new"), { recursive: true });
    mkdirSync(path.join(staging, "old/0"), { recursive: true });
    writeFileSync(path.join(staging, "old/0/payload"), label);
    if (label === "old/ is a symlink out") rmSync(path.join(staging, "old"), { recursive: true });
    prepare(staging);
    writeFileSync(path.join(staging, "journal.json"), JSON.stringify(journal));
    expect(await readJournal(staging), label).toBeUndefined();
    await recoverLeftovers(root, duniverse, silentReporter);
    expect(readdirSync(root), label).toEqual(["duniverse"]);
    expect(versions(duniverse), label).toEqual({ keep: "old" });
    expect(readdirSync(duniverse), label).toEqual(["keep"]);
    expect(versions(victim), label).toEqual({ secret: "victim" });
  }
});

test("a symlink or a file with a staging name is removed, not followed; other hidden names are not ours", async () => {
  const root = newRoot();
  const duniverse = path.join(root, "duniverse");
  tree(duniverse, { ".opam-monorepo-tmp-1-x": "not ours", ".hidden": "user" });
  const victim = path.join(scratch, `victim-${counter++}`);
  tree(victim, { secret: "victim" });
  const pid = deadPid();
  symlinkSync(victim, path.join(duniverse, `.opam-monorepo-tmp-${pid}-00000002`));
  writeFileSync(path.join(duniverse, `.opam-monorepo-tmp-${pid}-00000003`), "");
  await recoverLeftovers(root, duniverse, silentReporter);
  expect(readdirSync(duniverse).sort()).toEqual([".hidden", ".opam-monorepo-tmp-1-x"]);
  expect(versions(victim)).toEqual({ secret: "victim" });
  expect(lstatSync(path.join(victim, "secret")).isDirectory()).toBe(true);
});

test("processAlive: this process is, a reaped child is not", () => {
  expect(processAlive(process.pid)).toBe(true);
  expect(processAlive(deadPid())).toBe(false);
});
