// Recovery from pulls that died at the worst moments: between the two renames of a full swap,
// and in the middle of a partial commit (journal roll-back); live processes' dirs are kept.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { commitPartial, createStaging, processAlive, recoverLeftovers } from "./staging.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "staging-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const deadPid = (): number => spawnSync(process.execPath, ["-e", ""]).pid!;

test("a death between the two renames of a full swap is repaired: the old duniverse comes back", async () => {
  const root = path.join(scratch, `root-${counter++}`);
  const pid = deadPid();
  expect(processAlive(pid)).toBe(false);
  const old = path.join(root, `.opam-monorepo-old-duniverse-${pid}-abcd`);
  mkdirSync(path.join(old, "alpha"), { recursive: true });
  writeFileSync(path.join(old, "alpha/a.ml"), "old");
  mkdirSync(path.join(old, `.opam-monorepo-tmp-${pid}-ef01/beta`), { recursive: true });
  await recoverLeftovers(root, path.join(root, "duniverse"));
  expect(readdirSync(root)).toEqual(["duniverse"]);
  expect(readdirSync(path.join(root, "duniverse"))).toEqual(["alpha"]);
  expect(readFileSync(path.join(root, "duniverse/alpha/a.ml"), "utf8")).toBe("old");
});

test("an interrupted partial commit is rolled back from its journal; a live pull's staging is left alone", async () => {
  const root = path.join(scratch, `root-${counter++}`);
  const duniverse = path.join(root, "duniverse");
  for (const dir of ["a", "b"]) {
    mkdirSync(path.join(duniverse, dir), { recursive: true });
    writeFileSync(path.join(duniverse, dir, "v"), "old");
  }
  const pid = deadPid();
  const staging = path.join(duniverse, `.opam-monorepo-tmp-${pid}-0000`);
  mkdirSync(path.join(staging, ".old"), { recursive: true });
  writeFileSync(path.join(staging, "journal.json"), JSON.stringify(["a", "b"]));
  // "a" was swapped (old copy in .old/0, new in place); "b" was not reached.
  rmSync(path.join(duniverse, "a"), { recursive: true });
  mkdirSync(path.join(staging, ".old/0"));
  writeFileSync(path.join(staging, ".old/0/v"), "old");
  mkdirSync(path.join(duniverse, "a"));
  writeFileSync(path.join(duniverse, "a/v"), "new");
  const live = await createStaging(duniverse);
  await recoverLeftovers(root, duniverse);
  expect(readFileSync(path.join(duniverse, "a/v"), "utf8")).toBe("old");
  expect(readFileSync(path.join(duniverse, "b/v"), "utf8")).toBe("old");
  expect(existsSync(staging)).toBe(false);
  expect(existsSync(live)).toBe(true);
  mkdirSync(path.join(live, "b"));
  writeFileSync(path.join(live, "b/v"), "new");
  await commitPartial(duniverse, live, ["b"]);
  expect(readFileSync(path.join(duniverse, "b/v"), "utf8")).toBe("new");
  expect(readdirSync(duniverse).sort()).toEqual(["a", "b"]);
});
