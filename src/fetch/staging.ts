// Transactional replacement of duniverse/: new repositories are built in a staging directory
// (`duniverse/.opam-monorepo-tmp-<pid>-<rand>`) and swapped in only when all succeeded. A pull
// that dies leaves the old tree (or a journal to roll back to it); the next pull cleans up.
// Deletes only inside <root>/duniverse or its own `.opam-monorepo-*` directories; never follows links.
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { errnoCode } from "../core/errors.js";
import { pathExists, removeInside } from "../core/fs.js";

export const TEMP_PREFIX = ".opam-monorepo-tmp-";
const OLD_PREFIX = ".opam-monorepo-old-duniverse-";
const JOURNAL = "journal.json";
const COMMITTED = "committed";
const OLD_DIR = ".old";

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

function ownerPid(name: string, prefix: string): number | undefined {
  const match = new RegExp(`^${prefix.replace(/[.-]/g, "\\$&")}(\\d+)-`).exec(name);
  return match ? Number(match[1]) : undefined;
}

export async function createStaging(duniverse: string): Promise<string> {
  await mkdir(duniverse, { recursive: true });
  const staging = path.join(duniverse, `${TEMP_PREFIX}${process.pid}-${randomBytes(4).toString("hex")}`);
  await mkdir(staging);
  return staging;
}

/** Undo or finish what a killed pull left behind: restore an interrupted swap, drop temp dirs. */
export async function recoverLeftovers(root: string, duniverse: string): Promise<void> {
  for (const name of await listDir(root)) {
    const pid = ownerPid(name, OLD_PREFIX);
    if (pid === undefined || processAlive(pid)) continue;
    const old = path.join(root, name);
    if (!(await pathExists(duniverse))) await rename(old, duniverse);
    else await removeInside(root, old);
  }
  for (const name of await listDir(duniverse)) {
    const pid = ownerPid(name, TEMP_PREFIX);
    if (pid === undefined || processAlive(pid)) continue;
    const staging = path.join(duniverse, name);
    await rollBackPartial(duniverse, staging);
    await removeInside(duniverse, staging);
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR") return [];
    throw error;
  }
}

/**
 * Full pull: `staging` becomes the new duniverse/. Two renames: duniverse → a sibling "old"
 * directory, then staging → duniverse; recoverLeftovers() repairs a death between the two.
 */
export async function commitFull(root: string, duniverse: string, staging: string): Promise<void> {
  const old = path.join(root, `${OLD_PREFIX}${process.pid}-${randomBytes(4).toString("hex")}`);
  await rename(duniverse, old);
  try {
    await rename(path.join(old, path.basename(staging)), duniverse);
  } catch (error) {
    await rename(old, duniverse);
    throw error;
  }
  await removeInside(root, old);
}

/**
 * Partial pull: move each named directory of `staging` into duniverse/, keeping the replaced
 * ones in `staging/.old` until every rename is done (a journal allows a roll-back).
 */
export async function commitPartial(duniverse: string, staging: string, dirs: readonly string[]): Promise<void> {
  await writeFile(path.join(staging, JOURNAL), JSON.stringify(dirs));
  await mkdir(path.join(staging, OLD_DIR));
  for (const [index, dir] of dirs.entries()) {
    const target = path.join(duniverse, dir);
    await mkdir(path.dirname(target), { recursive: true });
    if (await pathExists(target)) await rename(target, path.join(staging, OLD_DIR, String(index)));
    await rename(path.join(staging, dir), target);
  }
  await writeFile(path.join(staging, COMMITTED), "");
  await removeInside(duniverse, staging);
}

async function rollBackPartial(duniverse: string, staging: string): Promise<void> {
  let dirs: string[];
  try {
    dirs = JSON.parse(await readFile(path.join(staging, JOURNAL), "utf8")) as string[];
  } catch {
    return;
  }
  if (await pathExists(path.join(staging, COMMITTED))) return;
  for (const [index, dir] of dirs.entries()) {
    const saved = path.join(staging, OLD_DIR, String(index));
    if (!(await pathExists(saved))) continue;
    const target = path.join(duniverse, dir);
    if (await pathExists(target)) await removeInside(duniverse, target);
    await rename(saved, target);
  }
}
