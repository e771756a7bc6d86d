// What a pull does first (holding the project lock): finish or undo what killed pulls left. It
// trusts only what this tool writes: staging directories by their exact name (a lock file can
// never name one: dir-names.ts refuses hidden names), real directories (never symlinks), and a
// journal it validates (single-component names, known actions, bounded size); anything else is
// left alone or, inside duniverse/, deleted without being followed. Moves stay inside duniverse/.
import { lstatSync } from "node:fs";
import { readdir, readFile, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { errnoCode } from "../core/errors.js";
import { removeInside } from "../core/fs.js";
import type { Reporter } from "../core/reporter.js";
import { isStagingName, JOURNAL, NEW_DIR, OLD_DIR, processAlive, rollBack, STAGING_NAME, type SwapOp } from "./staging.js";

/** Old trees parked by versions before 0.5 between the two renames of their swap. */
const LEGACY_OLD = /^\.opam-monorepo-old-duniverse-(\d+)-[0-9a-f]{8}$/;
const MAX_JOURNAL_BYTES = 4 << 20;

const deadOwner = (name: string, pattern: RegExp): boolean => {
  const pid = Number(pattern.exec(name)?.[1]);
  return Number.isSafeInteger(pid) && pid > 0 && !processAlive(pid);
};

const isRealDirectory = (file: string): boolean => lstatSync(file, { throwIfNoEntry: false })?.isDirectory() === true;

/** Repair what dead pulls left in `root` and `duniverse` (each repair is reported at info level). */
export async function recoverLeftovers(root: string, duniverse: string, reporter: Reporter): Promise<void> {
  for (const name of await listDir(root)) {
    const leftover = path.join(root, name);
    if (isStagingName(name) && deadOwner(name, STAGING_NAME)) {
      // A first pull's staging: its new tree is either already duniverse/ or unfinished.
      await removeInside(root, leftover);
      reporter.info(`Removed ${leftover}, left by an interrupted pull`);
    } else if (LEGACY_OLD.test(name) && deadOwner(name, LEGACY_OLD) && isRealDirectory(leftover)) {
      await recoverLegacyOld(leftover, duniverse, reporter);
    }
  }
  if (!isRealDirectory(duniverse)) return;
  for (const name of await listDir(duniverse)) {
    if (!isStagingName(name) || !deadOwner(name, STAGING_NAME)) continue;
    const staging = path.join(duniverse, name);
    const ops = isRealDirectory(staging) ? await readJournal(staging) : undefined;
    if (ops !== undefined) {
      await rollBack(duniverse, staging, ops);
      await unlink(path.join(staging, JOURNAL));
      reporter.info(`Rolled back the interrupted commit of ${staging}`);
    }
    await removeInside(duniverse, staging);
  }
}

async function recoverLegacyOld(old: string, duniverse: string, reporter: Reporter): Promise<void> {
  if (lstatSync(duniverse, { throwIfNoEntry: false }) === undefined) {
    await rename(old, duniverse);
    reporter.info(`Restored ${duniverse} from ${old}, left by an interrupted pull`);
  } else {
    reporter.warn(`${old} holds the duniverse/ of an interrupted pull of an older opam-monorepo; it was left alone: delete it if ${duniverse} is complete`);
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
 * The ops of a staging directory's journal, when it is one this tool could have written: a
 * regular file of at most 4 MiB, `{"ops": [{"action": "replace"|"remove", "name": …}]}` with
 * single-component names that are not staging names, and real `new/` (and `old/`, if present)
 * directories. Undefined otherwise: no swap has started, or the directory is not ours.
 */
export async function readJournal(staging: string): Promise<SwapOp[] | undefined> {
  const file = path.join(staging, JOURNAL);
  const info = lstatSync(file, { throwIfNoEntry: false });
  if (info === undefined || !info.isFile() || info.size > MAX_JOURNAL_BYTES) return undefined;
  if (!isRealDirectory(path.join(staging, NEW_DIR))) return undefined;
  const old = lstatSync(path.join(staging, OLD_DIR), { throwIfNoEntry: false });
  if (old !== undefined && !old.isDirectory()) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch {
    return undefined;
  }
  const ops = (parsed as { ops?: unknown } | null)?.ops;
  if (!Array.isArray(ops) || !ops.every(isSwapOp)) return undefined;
  const names = ops.map((op) => op.name);
  return new Set(names).size === names.length ? ops : undefined;
}

function isSwapOp(value: unknown): value is SwapOp {
  if (typeof value !== "object" || value === null) return false;
  const { action, name } = value as Record<string, unknown>;
  if (action !== "replace" && action !== "remove") return false;
  if (typeof name !== "string" || name === "" || name === "." || name === ".." || isStagingName(name)) return false;
  return !/[/\\\u0000]/.test(name) && Object.keys(value).length === 2;
}
