// Does the lock file still satisfy the local opam files it was made from? Every dependency of
// each root package (filters evaluated as lock evaluated them: build, with-test unless the lock was
// made with --build-only, the lock's global variables or the host's, OPAMVAR_*) must be in the
// lock file at a version its constraint allows. pull, list and why warn; `pull --locked` refuses.
import { readInputText } from "../core/read-input.js";
import path from "node:path";
import { UserError } from "../core/errors.js";
import type { Reporter } from "../core/reporter.js";
import type { Lockfile } from "../lockfile/model.js";
import { dependencyFlagsEnv, globalEnv, hostGlobalEnv, mergeEnvs, opamVarOverrides, packageEnv, type Env } from "../opam/env.js";
import { filterDependencies, removeNames, versionSatisfies, formatVersionFormula, type PackageFormula } from "../opam/formula.js";
import { packageFromOpam } from "../opam/package.js";
import { parseOpam } from "../opam/parser.js";
import { scanLocalPackages } from "../project/local-packages.js";
import { localPackageVersion } from "../project/targets.js";

export interface StaleFile {
  /** The opam file, relative to the current directory. */
  file: string;
  /** `yojson is missing`, `fmt 0.9.0 does not satisfy >= 0.10`. */
  problems: string[];
}

/** The problems of one formula against the locked versions (a `|` fails when every alternative does). */
function problemsOf(formula: PackageFormula, locked: ReadonlyMap<string, string>): string[] {
  switch (formula.kind) {
    case "empty":
      return [];
    case "atom": {
      const { name, versions } = formula.atom;
      const version = locked.get(name);
      if (version === undefined) return [`${name} is missing`];
      return versionSatisfies(version, versions) ? [] : [`${name} ${version} does not satisfy ${formatVersionFormula(versions)}`];
    }
    case "and":
      return formula.items.flatMap((item) => problemsOf(item, locked));
    case "or": {
      const each = formula.items.map((item) => problemsOf(item, locked));
      return each.some((problems) => problems.length === 0) ? [] : (each[0] ?? []);
    }
  }
}

function builtOnly(lockfile: Lockfile): boolean {
  return (lockfile.cliArgs ?? []).some((arg) => arg.length > "--b".length && "--build-only".startsWith(arg));
}

/** Each root package's opam file the lock file no longer satisfies, with why. */
export async function staleLock(root: string, lockfile: Lockfile, processEnv: NodeJS.ProcessEnv, cwd: string): Promise<StaleFile[]> {
  const scan = await scanLocalPackages(root);
  const localNames = new Set(scan.packages.map((local) => local.name));
  const skipped = new Set([...localNames, ...(lockfile.opamProvided ?? [])]);
  const locked = new Map(lockfile.depends.map((dep) => [dep.name, dep.version]));
  const vars: Env = lockfile.globalOpamVars === undefined ? await hostGlobalEnv(processEnv) : globalEnv(Object.fromEntries(lockfile.globalOpamVars));
  const flags = dependencyFlagsEnv({ build: true, post: true, withTest: !builtOnly(lockfile), withDoc: false, withDevSetup: false, dev: false });
  const stale: StaleFile[] = [];
  for (const name of lockfile.rootPackages) {
    const local = scan.packages.find((candidate) => candidate.name === name);
    if (local === undefined) continue;
    const opam = parseOpam(await readInputText(local.path, "an opam file"), local.path);
    const pkg = packageFromOpam(opam, name, localPackageVersion(undefined, opam));
    const env = mergeEnvs(flags, packageEnv(name, pkg.version), opamVarOverrides(processEnv), vars);
    const problems = problemsOf(removeNames(filterDependencies(pkg.depends, env), skipped), locked);
    if (problems.length > 0) stale.push({ file: path.relative(cwd, local.path) || local.path, problems });
  }
  return stale;
}

function staleText(stale: StaleFile): string {
  const shown = stale.problems.slice(0, 3).join(", ") + (stale.problems.length > 3 ? `, and ${stale.problems.length - 3} more` : "");
  return `the lock file does not satisfy ${stale.file} any more (${shown})`;
}

export interface FreshnessCheck {
  root: string;
  lockfile: Lockfile;
  env: NodeJS.ProcessEnv;
  cwd: string;
  reporter: Reporter;
  command: string;
  /** `pull --locked`: refuse a stale lock file (an unreadable opam file is then an error too). */
  locked?: boolean;
}

/** Warns for each stale opam file; with `locked`, refuses (exit 1) instead. */
export async function checkLockFresh(options: FreshnessCheck): Promise<void> {
  let stale: StaleFile[];
  try {
    stale = await staleLock(options.root, options.lockfile, options.env, options.cwd);
  } catch (error) {
    if (options.locked === true) throw error;
    options.reporter.debug(`could not check the lock file against the opam files: ${(error as Error).message}`);
    return;
  }
  if (stale.length === 0) return;
  const relock = `\`${options.command} lock\``;
  if (options.locked === true) {
    throw new UserError("LOCKFILE_STALE", `${stale.map(staleText).join("; ")}; --locked refuses to pull it`, {
      hint: `run ${relock} and commit the lock file, or pull without --locked`,
      details: stale,
    });
  }
  for (const entry of stale) options.reporter.warn(`${staleText(entry)}: run ${relock}`);
}
