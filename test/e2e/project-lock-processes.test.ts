// The project lock across real processes: several take turns over one project, each of them dying
// once while it holds the lock (a stale lock the others must take over, all at once); never are
// two of them inside at the same time, and none waits forever.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, expect, test } from "vitest";
import { projectRoot } from "../helpers/cli.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "project-lock-proc-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Takes the lock `rounds` times; inside, creates `inside` exclusively (EEXIST = two holders), waits
// a little, removes it; the last time it exits while holding the lock.
const CHILD = `
import { writeFileSync, unlinkSync } from "node:fs";
const { lockProject } = await import(process.env.LOCK_MODULE);
const [root, inside, rounds] = process.argv.slice(1);
const reporter = { step() {}, info() {}, debug() {}, warn() {}, error() {}, progress() {} };
for (let round = 1; round <= Number(rounds); round++) {
  const lock = await lockProject(root, { reporter, pollMs: 5, timeoutMs: 60000 });
  try { writeFileSync(inside, String(process.pid), { flag: "wx" }); } catch { console.log("VIOLATION"); process.exit(3); }
  await new Promise((resolve) => setTimeout(resolve, 15));
  unlinkSync(inside);
  if (round === Number(rounds)) process.exit(0);
  lock.release();
}
`;

test("8 processes, 8 turns each, each dying once with the lock held: one holder at a time, all finish", async () => {
  const module = pathToFileURL(path.join(projectRoot, "dist/src/fetch/project-lock.js")).href;
  const runs = Array.from({ length: 8 }, () =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD, scratch, path.join(scratch, "inside"), "8"], { env: { ...process.env, LOCK_MODULE: module } });
      let out = "";
      child.stdout.on("data", (chunk) => (out += chunk));
      child.stderr.on("data", (chunk) => (out += chunk));
      child.on("close", (code) => resolve({ code, out }));
    }),
  );
  const results = await Promise.all(runs);
  for (const result of results) expect(result, result.out).toMatchObject({ code: 0, out: "" });
}, 120_000);
