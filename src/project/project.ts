// The project `lock` works on, assembled in the reference's order: scan local packages, choose
// targets, read every local opam file, lock file path, source config, pin-depends. Reads only.
import { statSync } from "node:fs";
import path from "node:path";
import { UserError } from "../core/errors.js";
import { fileKind, readInputText } from "../core/read-input.js";
import type { OpamFile } from "../opam/ast.js";
import { parseOpam } from "../opam/parser.js";
import { makeSourceConfig, sourceConfigOfTargets, type CliConfig, type SourceConfig } from "./config.js";
import { lockfilePathForWrite } from "./lockfile-path.js";
import { scanLocalPackages, type LocalPackage } from "./local-packages.js";
import { collectPinDepends, type PinDependEntry } from "./pin-depends.js";
import { chooseTargets, localPackageVersion } from "./targets.js";

export { scanLocalPackages, packageNameOfOpamFile, type LocalPackage, type LocalScan } from "./local-packages.js";
export { chooseTargets, localPackageVersion, targetsMessage, NO_TARGETS_MESSAGE, type Target, type TargetRequest } from "./targets.js";
export { lockfilePathForRead, lockfilePathForWrite, lockfilesAtRoot, duneProjectName } from "./lockfile-path.js";
export { collectPinDepends, sortUniqPins, pinDependsOf, groupPinsByUrl, pinId, type PinDependEntry } from "./pin-depends.js";

/** The project root as an absolute path (a relative `--root` is resolved against `cwd`); PATH_UNUSABLE when it is not a directory. */
export function projectRoot(root: string | undefined, cwd: string = process.cwd()): string {
  const absolute = path.resolve(cwd, root ?? ".");
  const stats = root === undefined ? undefined : statSync(absolute, { throwIfNoEntry: false });
  if (stats !== undefined && !stats.isDirectory()) {
    throw new UserError("PATH_UNUSABLE", `the project root ${absolute} (--root) is ${fileKind(stats)}, not a directory`, {
      hint: "pass the directory that holds the project's opam files and lock file",
    });
  }
  return absolute;
}

export interface LocalOpamPackage extends LocalPackage {
  opam: OpamFile;
  /** Explicit CLI version > `version:` field > `zdev`. */
  version: string;
  isTarget: boolean;
}

export interface ProjectRequest {
  /** The command the user typed (`opam-monorepo` or `opam monorepo`), for hints. */
  command?: string;
  /** `--root` (may be relative); undefined = the current directory. */
  root: string | undefined;
  /** Positional `LOCAL_PACKAGE` arguments (`name` or `name.version`). */
  packages: readonly string[];
  recurse: boolean;
  /** `-l PATH`, verbatim. */
  lockfile: string | undefined;
  cli: CliConfig;
  /**
   * Told the scan's warnings and the number of targets once they are known, before the lock file
   * name is inferred (the reference prints "Using N locally scanned packages" before that error).
   */
  onTargets?: (count: number, warnings: readonly string[]) => void;
}

export interface Project {
  root: string;
  /** Every local package, sorted by name. */
  locals: LocalOpamPackage[];
  /** The targets (a subset of `locals`), sorted by name. */
  targets: LocalOpamPackage[];
  /** Warnings to show (duplicate local package names). */
  warnings: string[];
  lockfilePath: string;
  /** The merged `x-opam-monorepo-*` configuration, repository URLs rewritten to absolute paths. */
  config: SourceConfig;
  /** pin-depends of every local opam file, de-duplicated, sorted by package name. */
  pins: PinDependEntry[];
}

async function readOpamFile(file: string): Promise<OpamFile> {
  return parseOpam(await readInputText(file, "an opam file"), file);
}

/** Everything `lock` needs to know about the local project before solving. */
export async function loadProject(request: ProjectRequest): Promise<Project> {
  const root = projectRoot(request.root);
  const scan = await scanLocalPackages(root);
  const targets = chooseTargets(scan.packages, { packages: request.packages, recurse: request.recurse, command: request.command });
  const explicit = new Map(targets.map((target) => [target.name, target.explicitVersion]));
  const locals = await Promise.all(
    scan.packages.map(async (local): Promise<LocalOpamPackage> => {
      const opam = await readOpamFile(local.path);
      const version = localPackageVersion(explicit.get(local.name), opam);
      return { ...local, opam, version, isTarget: explicit.has(local.name) };
    }),
  );
  const targetPackages = locals.filter((local) => local.isTarget);
  request.onTargets?.(targetPackages.length, scan.warnings);
  const lockfilePath = await lockfilePathForWrite({ root, lockfile: request.lockfile, targets: targetPackages.map((t) => t.name), command: request.command });
  const config = makeSourceConfig(root, sourceConfigOfTargets(targetPackages.map((t) => t.opam)), request.cli);
  const pins = collectPinDepends(
    locals.map((local) => local.opam),
    new Set(locals.map((local) => local.name)),
  );
  return { root, locals, targets: targetPackages, warnings: scan.warnings, lockfilePath, config, pins };
}
