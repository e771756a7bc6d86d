// Builds a temporary directory tree from a map of relative paths to contents, for tests.
import { mkdtemp, mkdir, writeFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** Every directory `testdir` made in this test file; test/helpers/cleanup.ts removes them after it. */
const created = new Set<string>();

export async function testdir(files: Record<string, string> = {}, prefix = "om-test-"): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  created.add(dir);
  await writeFiles(dir, files);
  return dir;
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    const target = path.join(dir, relative);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}

export async function removeTestdir(dir: string): Promise<void> {
  created.delete(dir);
  // Retried: a repository a test did not flush may still be writing its index in the background
  // (ENOTEMPTY while the tree is removed).
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
}

/** Removes what `testdir` made and no test removed (run once per test file, after its tests). */
export async function removeCreatedTestdirs(): Promise<void> {
  await Promise.all([...created].map(removeTestdir));
}

/** A namer of paths under `dir` that were never handed out before (`name-0`, `name-1`, …). */
export function freshPaths(dir: string): (name: string) => string {
  let counter = 0;
  return (name) => path.join(dir, `${name}-${counter++}`);
}
