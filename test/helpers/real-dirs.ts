// Test/benchmark helper: the real snapshots of ../shared/data extracted as plain directories (the
// reference opam-monorepo 0.4.3 reads only directories), made once per machine with GNU tar under
// the system temp directory, keyed by each archive's size and mtime, and published by a rename.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { snapshotArchive, type SnapshotName } from "./real-data.js";

/** Where extracted snapshots live (override with OPAM_MONOREPO_REAL_DIRS). */
function cacheRoot(): string {
  return process.env.OPAM_MONOREPO_REAL_DIRS ?? path.join(os.tmpdir(), "opam-monorepo-real-dirs");
}

/**
 * The directory holding `<name>.tar.gz` extracted (its top-level directory stripped, so
 * `<dir>/packages/<pkg>/<pkg>.<version>/opam`), or undefined when the snapshot is absent.
 */
export function realSnapshotDir(name: SnapshotName): string | undefined {
  const archive = snapshotArchive(name);
  if (archive === undefined) return undefined;
  const info = statSync(archive);
  const dir = path.join(cacheRoot(), `${name}-${info.size}-${Math.trunc(info.mtimeMs)}`);
  if (existsSync(path.join(dir, "packages"))) return dir;
  mkdirSync(cacheRoot(), { recursive: true });
  const scratch = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(scratch);
  try {
    execFileSync("tar", ["-xzf", archive, "-C", scratch, "--strip-components=1"], { stdio: ["ignore", "ignore", "inherit"] });
    renameSync(scratch, dir);
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    // Another process published the same snapshot first.
    if (!existsSync(path.join(dir, "packages"))) throw error;
  }
  return dir;
}

/** All three snapshots as directories, overlays first (the order a lock should list them). */
export function realSnapshotDirs(): { repository: string; overlays: string; mirageOverlays: string } | undefined {
  const repository = realSnapshotDir("opam-repository");
  const overlays = realSnapshotDir("opam-overlays");
  const mirageOverlays = realSnapshotDir("mirage-opam-overlays");
  if (repository === undefined || overlays === undefined || mirageOverlays === undefined) return undefined;
  return { repository, overlays, mirageOverlays };
}
