// A cross-process lock on a cache entry (a git checkout, a download): an exclusive `mkdir`,
// retried with back-off; a lock older than `staleMs` (a crashed holder) is broken.
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { errnoCode, UserError } from "../core/errors.js";

export interface LockOptions {
  /** Give up after this long (default 10 minutes). */
  timeoutMs?: number;
  /** Treat a lock older than this as abandoned (default 15 minutes). */
  staleMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function acquire(lockDir: string, options: LockOptions): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  const staleMs = options.staleMs ?? 900_000;
  await mkdir(path.dirname(lockDir), { recursive: true });
  for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
    try {
      await mkdir(lockDir);
      return;
    } catch (error) {
      if (errnoCode(error) !== "EEXIST") throw error;
    }
    const held = await stat(lockDir).catch(() => undefined);
    if (held !== undefined && Date.now() - held.mtimeMs > staleMs) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new UserError("REPO_UNREACHABLE", `timed out waiting for the lock ${lockDir}`, {
        hint: "another opam-monorepo process is updating this repository; remove the lock directory if none is running",
      });
    }
    await sleep(delay);
  }
}

/** Runs `fn` while holding the lock directory `lockDir`. */
export async function withLock<T>(lockDir: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  await acquire(lockDir, options);
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
