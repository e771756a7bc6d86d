// One pull at a time per project: `<root>/.opam-monorepo-pull.lock` holds the pid, host and
// process start time of the pull that owns duniverse/. It is created whole (hard link of a
// complete temp file: exclusive), removed on release, and taken over when its owner is dead (the
// takeover is serialised by a second exclusive file, so two waiters never both take it).
import { randomBytes } from "node:crypto";
import { linkSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { errnoCode, UserError } from "../core/errors.js";
import type { Reporter } from "../core/reporter.js";
import { processAlive } from "./staging.js";

export const LOCK_NAME = ".opam-monorepo-pull.lock";
const GUARD_SUFFIX = ".takeover";
/** A takeover guard older than this was left by a process killed during its few microseconds. */
const STALE_GUARD_MS = 5000;

export interface ProjectLock {
  file: string;
  /** Remove the lock if it is still ours (synchronous: usable while the process exits). */
  release(): void;
}

export interface LockOptions {
  reporter: Reporter;
  /** Give up waiting for another pull after this long (default 10 minutes). */
  timeoutMs?: number;
  pollMs?: number;
  /** Stop waiting (an interrupt arrived). */
  cancelled?: () => boolean;
}

interface Holder {
  pid: number;
  host: string;
  /** Start time of the process (Linux /proc clock ticks), to tell a reused pid. */
  start?: string;
}

/** Take the project lock, waiting (and saying so) while another live pull holds it. */
export async function lockProject(root: string, options: LockOptions): Promise<ProjectLock> {
  const file = path.join(root, LOCK_NAME);
  const mine = JSON.stringify(holderOf(process.pid));
  const timeoutMs = options.timeoutMs ?? 600_000;
  const started = Date.now();
  let announced = false;
  for (;;) {
    if (options.cancelled?.()) throw new UserError("INTERRUPTED", "interrupted while waiting for another pull");
    if (createWhole(file, mine)) {
      removeDeadTemps(root);
      return { file, release: () => releaseIfMine(file, mine) };
    }
    const text = readText(file);
    if (text === undefined) continue;
    const holder = parseHolder(text);
    if (holder === undefined) {
      throw new UserError("PULL_LOCKED", `${file} exists but is not a lock written by opam-monorepo`, { hint: `delete ${file} if no pull is running in this project` });
    }
    if (!holderAlive(holder)) {
      if (takeOver(file, text, mine)) continue;
    } else if (!announced) {
      options.reporter.step(`Waiting for another pull (pid ${holder.pid}${holder.host === os.hostname() ? "" : ` on ${holder.host}`}) to finish…`);
      announced = true;
    }
    if (Date.now() - started > timeoutMs) {
      throw new UserError("PULL_LOCKED", `Another pull (pid ${holder.pid}) has held ${file} for over ${Math.round(timeoutMs / 1000)} s`, {
        hint: `wait for it to finish; if no pull is running in this project, delete ${file}`,
      });
    }
    await sleep(options.pollMs ?? 100);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function holderOf(pid: number): Holder {
  const start = processStart(pid);
  return start === undefined ? { pid, host: os.hostname() } : { pid, host: os.hostname(), start };
}

/** Field 22 of /proc/<pid>/stat (start time since boot), where there is a /proc. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** A holder on another host is assumed alive (its pid means nothing here). */
function holderAlive(holder: Holder): boolean {
  if (holder.host !== os.hostname()) return true;
  if (!processAlive(holder.pid)) return false;
  const start = holder.start === undefined ? undefined : processStart(holder.pid);
  return start === undefined || start === holder.start;
}

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (!Number.isSafeInteger(value.pid) || (value.pid as number) <= 0 || typeof value.host !== "string") return undefined;
    return { pid: value.pid as number, host: value.host, start: typeof value.start === "string" ? value.start : undefined };
  } catch {
    return undefined;
  }
}

/** Create `file` with `content` only if it does not exist; readers never see it partly written. */
function createWhole(file: string, content: string): boolean {
  const temp = `${file}.${process.pid}-${randomBytes(4).toString("hex")}`;
  writeFileSync(temp, content, { flag: "wx" });
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    if (errnoCode(error) === "EEXIST") return false;
    // A filesystem without hard links: an exclusive create (a reader may see it empty, briefly).
    try {
      writeFileSync(file, content, { flag: "wx" });
      return true;
    } catch (fallback) {
      if (errnoCode(fallback) === "EEXIST") return false;
      throw fallback;
    }
  } finally {
    unlinkSync(temp);
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

function releaseIfMine(file: string, mine: string): void {
  if (readText(file) === mine) unlinkIfPresent(file);
}

function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if (errnoCode(error) !== "ENOENT") throw error;
  }
}

/**
 * Remove a dead holder's lock: under the guard, and only if the lock still has the text that was
 * found dead (another waiter may have taken it over and locked again meanwhile).
 */
function takeOver(file: string, deadText: string, mine: string): boolean {
  const guard = `${file}${GUARD_SUFFIX}`;
  if (!createWhole(guard, mine)) {
    const held = readText(guard);
    const holder = held === undefined ? undefined : parseHolder(held);
    const age = Date.now() - (statSync(guard, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (holder !== undefined && !holderAlive(holder) && age > STALE_GUARD_MS && readText(guard) === held) unlinkIfPresent(guard);
    return false;
  }
  try {
    if (readText(file) === deadText) unlinkIfPresent(file);
  } finally {
    unlinkIfPresent(guard);
  }
  return true;
}

/** Temp files of lock creations whose process died between its two system calls. */
function removeDeadTemps(root: string): void {
  for (const name of readdirSync(root)) {
    const match = /^\.opam-monorepo-pull\.lock(?:\.takeover)?\.(\d+)-[0-9a-f]{8}$/.exec(name);
    if (match && !processAlive(Number(match[1]))) unlinkIfPresent(path.join(root, name));
  }
}
