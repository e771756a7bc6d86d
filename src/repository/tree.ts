// Walking a repository tree on disk: the package names under `packages/` and the version
// directories of one package. Shared by the main thread and the parse workers.
import { readdirSync, type Dirent } from "node:fs";
import path from "node:path";
import { errnoCode } from "../core/errors.js";
import { isPackageName, versionOfDir } from "./layout.js";

function listDir(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR") return [];
    throw error;
  }
}

const maybeDir = (entry: Dirent): boolean => entry.isDirectory() || entry.isSymbolicLink();

/**
 * `[version, absolute opam path]` of each version directory of `name`. The paths are joined by
 * hand below the one `path.join` (an entry name holds no `/` and is never `.` or `..`): a warm
 * lock lists every reached name of every repository, and `path.join` per entry was most of it.
 */
export function versionDirs(packagesDir: string, name: string): [string, string][] {
  const out: [string, string][] = [];
  const dir = path.join(packagesDir, name);
  for (const entry of listDir(dir)) {
    const version = maybeDir(entry) ? versionOfDir(name, entry.name) : undefined;
    if (version !== undefined) out.push([version, `${dir}/${entry.name}/opam`]);
  }
  return out;
}

/** The valid package names with a directory under `packagesDir`. */
export function packageDirNames(packagesDir: string): string[] {
  return listDir(packagesDir)
    .filter((entry) => maybeDir(entry) && isPackageName(entry.name))
    .map((entry) => entry.name);
}
