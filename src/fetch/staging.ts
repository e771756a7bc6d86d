// Transactional replacement of duniverse/: a pull builds the new entries in a staging directory
// (`.opam-monorepo-tmp-<pid>-<8 hex>`, in duniverse/, or beside it when duniverse/ does not exist
// yet) and swaps them in entry by entry under a journal, so that a pull killed at any point can be
// rolled back (recovery.ts). Moves only single-component names inside duniverse/ and its staging.
import { randomBytes } from "node:crypto";
import { lstatSync } from "node:fs";
import { mkdir, readdir, rename, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { crashPoint } from "../core/crash-point.js";
import { errnoCode, UserError } from "../core/errors.js";
import { pathExists, removeInside } from "../core/fs.js";
import { bytewise } from "../core/compare.js";

export const TEMP_PREFIX = ".opam-monorepo-tmp-";
/** Only names of this exact form are ever taken for staging directories (by recovery too). */
export const STAGING_NAME = /^\.opam-monorepo-tmp-(\d+)-([0-9a-f]{8})$/;
export const JOURNAL = "journal.json";
/** Inside a staging directory: the new entries, the replaced ones, the work directories. */
export const NEW_DIR = "new";
export const OLD_DIR = "old";
const WORK_DIR = "work";

/** One entry of duniverse/ a commit changes: put `new/<name>` in place, or take `<name>` away. */
export interface SwapOp {
  action: "replace" | "remove";
  name: string;
}

export interface Staging {
  dir: string;
  /** The directory whose entry `dir` is: duniverse/, or the project root on a first pull. */
  parent: string;
  /** `dir/new`: the entries to put in duniverse/, by name. */
  newDir: string;
  /** duniverse/ did not exist: the commit is the rename of `newDir` to duniverse/. */
  fresh: boolean;
  /** A work directory for one repository (absent until used). */
  workDir(index: number): string;
}

/** True unless `pid` is certainly gone (ESRCH). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) !== "ESRCH";
  }
}

/** duniverse/ is absent or a real directory; anything else (a file, any symlink) is refused. */
export function duniverseState(duniverse: string): "absent" | "directory" {
  const info = lstatSync(duniverse, { throwIfNoEntry: false });
  if (info === undefined) return "absent";
  if (info.isDirectory()) return "directory";
  const what = info.isSymbolicLink() ? "a symbolic link" : info.isFile() ? "a file" : "not a directory";
  throw new UserError("DUNIVERSE_NOT_A_DIRECTORY", `${duniverse} is ${what}: pull replaces the entries of this directory and refuses to write through or over it.`, {
    hint: `move ${duniverse} out of the way (pull creates the directory), or pass another project root with --root`,
  });
}

export async function createStaging(root: string, duniverse: string): Promise<Staging> {
  const fresh = duniverseState(duniverse) === "absent";
  const parent = fresh ? root : duniverse;
  const dir = path.join(parent, `${TEMP_PREFIX}${process.pid}-${randomBytes(4).toString("hex")}`);
  await mkdir(dir);
  await mkdir(path.join(dir, NEW_DIR));
  await mkdir(path.join(dir, WORK_DIR));
  return { dir, parent, newDir: path.join(dir, NEW_DIR), fresh, workDir: (index) => path.join(dir, WORK_DIR, String(index)) };
}

/** Staging directories are ours only by their exact name; anything else is never touched. */
export function isStagingName(name: string): boolean {
  return STAGING_NAME.test(name);
}

/**
 * The operations of a full pull: every staged entry replaces its namesake, every other entry of
 * duniverse/ goes (staging directories and the `keep` names excepted), in name order.
 */
export async function fullPullOps(duniverse: string, staging: Staging, keep: ReadonlySet<string> = new Set()): Promise<SwapOp[]> {
  const staged = new Set(await readdir(staging.newDir));
  const existing = staging.fresh ? [] : (await readdir(duniverse)).filter((name) => !staged.has(name) && !keep.has(name) && !isStagingName(name));
  const ops: SwapOp[] = [...[...staged].map((name) => ({ action: "replace" as const, name })), ...existing.map((name) => ({ action: "remove" as const, name }))];
  return ops.sort((a, b) => bytewise(a.name, b.name));
}

/**
 * Put the staged entries in place. A first pull renames `new/` to duniverse/. Otherwise the
 * journal (the list of ops) is written first; each op moves the current entry to `old/<index>`,
 * then the staged one in; removing the journal commits. Any failure rolls back before rethrowing.
 */
export async function commitStaging(duniverse: string, staging: Staging, ops: readonly SwapOp[]): Promise<void> {
  if (staging.fresh) {
    await rename(staging.newDir, duniverse);
    crashPoint("committed");
    await removeInside(staging.parent, staging.dir);
    return;
  }
  const journal = path.join(staging.dir, JOURNAL);
  await writeFile(`${journal}.tmp`, JSON.stringify({ ops }));
  await rename(`${journal}.tmp`, journal);
  crashPoint("journal");
  await mkdir(path.join(staging.dir, OLD_DIR));
  try {
    for (const [index, op] of ops.entries()) await swap(duniverse, staging.dir, op, index);
  } catch (error) {
    await rollBack(duniverse, staging.dir, ops);
    await unlink(journal);
    throw error;
  }
  await unlink(journal);
  crashPoint("committed");
  await removeInside(duniverse, staging.dir);
}

async function swap(duniverse: string, staging: string, op: SwapOp, index: number): Promise<void> {
  const target = path.join(duniverse, op.name);
  if (await pathExists(target)) {
    await rename(target, path.join(staging, OLD_DIR, String(index)));
    crashPoint("swap-out");
  }
  if (op.action === "replace") {
    await rename(path.join(staging, NEW_DIR, op.name), target);
    crashPoint("swap-in");
  }
}

/**
 * Undo the ops of a journal, last first; safe to run again after a kill. A replaced entry whose
 * staged copy is gone from `new/` was moved in: it goes back there; then `old/<index>` returns.
 */
export async function rollBack(duniverse: string, staging: string, ops: readonly SwapOp[]): Promise<void> {
  for (let index = ops.length - 1; index >= 0; index--) {
    const op = ops[index]!;
    const target = path.join(duniverse, op.name);
    const staged = path.join(staging, NEW_DIR, op.name);
    if (op.action === "replace" && !(await pathExists(staged)) && (await pathExists(target))) await rename(target, staged);
    const saved = path.join(staging, OLD_DIR, String(index));
    if (await pathExists(saved)) {
      if (await pathExists(target)) await removeInside(duniverse, target);
      await rename(saved, target);
    }
  }
}
