// Finds the project's local packages: every `<name>.opam` under the root, skipping hidden
// entries, `_build`, `_opam`, `duniverse` and opam repositories. Reads only; never writes.
import { readdir, realpath, stat } from "../core/async-fs.js";
import { readInputText } from "../core/read-input.js";
import path from "node:path";
import { UserError, errnoCode } from "../core/errors.js";
import { parseOpam } from "../opam/parser.js";
import { packageNameProblem } from "./package-name.js";

export interface LocalPackage {
  name: string;
  /** Absolute path of the `<name>.opam` file. */
  path: string;
  /** The file sits directly in the root (a default target). */
  atRoot: boolean;
}

export interface LocalScan {
  /** One entry per package name, first found kept, sorted by name. */
  packages: LocalPackage[];
  /** The reference's "defined multiple times" warnings, one per duplicated name. */
  warnings: string[];
}

const SKIPPED_DIRS = new Set(["_build", "_opam", "duniverse"]);
const OPAM_EXTENSION = ".opam";

/** Entries of `dir` sorted by name; symlinks are followed (a dangling link is ignored). */
async function listDir(dir: string): Promise<{ name: string; kind: "file" | "dir" }[]> {
  const names = (await readdir(dir)).filter((name) => !name.startsWith(".")).sort();
  const entries: { name: string; kind: "file" | "dir" }[] = [];
  for (const name of names) {
    try {
      const info = await stat(path.join(dir, name));
      if (info.isDirectory()) entries.push({ name, kind: "dir" });
      else if (info.isFile()) entries.push({ name, kind: "file" });
    } catch (error) {
      if (errnoCode(error) !== "ENOENT" && errnoCode(error) !== "ELOOP") throw error;
    }
  }
  return entries;
}

/** A directory holding a `packages/` directory and a parsable `repo` file. */
async function isOpamRepository(dir: string): Promise<boolean> {
  try {
    if (!(await stat(path.join(dir, "packages"))).isDirectory()) return false;
    const repoFile = path.join(dir, "repo");
    parseOpam(await readInputText(repoFile, "an opam repository's repo file"), repoFile);
    return true;
  } catch {
    return false;
  }
}

/** Every `*.opam` file under `root`, breadth-first (root files first), sorted within a directory. */
async function findOpamFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const visited = new Set<string>();
  let level = [root];
  while (level.length > 0) {
    const next: string[] = [];
    for (const dir of level) {
      const real = await realpath(dir);
      if (visited.has(real)) continue;
      visited.add(real);
      for (const entry of await listDir(dir)) {
        const full = path.join(dir, entry.name);
        if (entry.kind === "file" && entry.name.endsWith(OPAM_EXTENSION) && entry.name !== OPAM_EXTENSION) found.push(full);
        if (entry.kind === "dir" && !SKIPPED_DIRS.has(entry.name) && !(await isOpamRepository(full))) next.push(full);
      }
    }
    level = next;
  }
  return found;
}

function duplicateWarning(name: string, paths: readonly string[]): string {
  const listed = paths.map((file) => `- ${file}`).join("\n");
  return `Package ${name} is defined multiple times in the repository:\n${listed}\nWe kept ${paths[0]} and discarded the others`;
}

/** The package name a `<name>.opam` file defines; an invalid name is a UserError naming the file. */
export function packageNameOfOpamFile(file: string): string {
  const name = path.basename(file).slice(0, -OPAM_EXTENSION.length);
  const problem = packageNameProblem(name);
  if (problem !== undefined) {
    throw new UserError("PACKAGE_NAME_INVALID", `${file}: ${problem}: the file name of a local opam file must be <package name>.opam`, {
      hint: "rename the file, or move it under a hidden directory, _build, _opam or duniverse to ignore it",
    });
  }
  return name;
}

/**
 * Scan `root` (made absolute) for local packages. A missing root has no packages. The same
 * name twice keeps the first file found (root files first) and adds a warning.
 */
export async function scanLocalPackages(root: string): Promise<LocalScan> {
  const absoluteRoot = path.resolve(root);
  try {
    if (!(await stat(absoluteRoot)).isDirectory()) return { packages: [], warnings: [] };
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return { packages: [], warnings: [] };
    throw error;
  }
  const byName = new Map<string, string[]>();
  for (const file of await findOpamFiles(absoluteRoot)) {
    const name = packageNameOfOpamFile(file);
    byName.set(name, [...(byName.get(name) ?? []), file]);
  }
  const names = [...byName.keys()].sort();
  const packages = names.map((name) => {
    const file = byName.get(name)![0]!;
    return { name, path: file, atRoot: path.dirname(file) === absoluteRoot };
  });
  const warnings = names.filter((name) => byName.get(name)!.length > 1).map((name) => duplicateWarning(name, byName.get(name)!));
  return { packages, warnings };
}
