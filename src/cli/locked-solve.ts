// The lock file re-solved with the options it records (x-opam-monorepo-cli-args), preferring its
// versions: what `why`, `tree`, `sbom`, `outdated` and `lock --update` read the solution graph
// and the locked versions' opam files from. Reads only; never writes the lock file.
import { Command } from "commander";
import { UserError } from "../core/errors.js";
import { stepsAsInfo, type Reporter } from "../core/reporter.js";
import { readLockfile } from "../lockfile/file.js";
import type { Lockfile } from "../lockfile/model.js";
import { lockfilePathForRead, projectRoot } from "../project/project.js";
import type { LockSolveResult } from "../solve/lock-solve.js";
import { addCommonOptions, expandPrefixes } from "./args.js";
import { invokedAs } from "./invocation.js";
import { analyseFailure } from "./lock-failure.js";
import { solveFailure } from "./lock-output.js";
import { checkLockFresh } from "./stale-lock.js";
import { configureLockOptions, solveProject, type LockOptions, type LockRun } from "./commands/lock.js";
import type { CommandContext } from "./commands/index.js";

/** A throwaway `lock` parser, to read the options recorded in x-opam-monorepo-cli-args. */
function recordedLockArgs(args: readonly string[]): { options: Partial<LockOptions>; packages: string[] } {
  const program = new Command("opam-monorepo").exitOverride();
  const lock = configureLockOptions(addCommonOptions(program.command("lock")).argument("[packages...]"));
  lock.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined }).action(() => undefined);
  program.parse(expandPrefixes(program, ["lock", ...args]), { from: "user" });
  return { options: lock.opts() as Partial<LockOptions>, packages: lock.args };
}

/** Options a user gave to the command itself (different from the defaults) win over recorded ones. */
function explicitOptions(options: LockOptions): Partial<LockOptions> {
  const defaults: Partial<LockOptions> = { indexCache: true };
  const explicit: Partial<LockOptions> = {};
  for (const [key, value] of Object.entries(options) as [keyof LockOptions, unknown][]) {
    if (value === undefined || value === false || value === defaults[key]) continue;
    (explicit as Record<string, unknown>)[key] = value;
  }
  return explicit;
}

export interface SolveRequest {
  options: LockOptions;
  packages: string[];
}

/** The lock options of the original run, with the lock file being read and minimal update. */
export function solveRequest(context: CommandContext, options: LockOptions, lockfile: Lockfile, file: string): SolveRequest {
  let recorded: ReturnType<typeof recordedLockArgs> = { options: {}, packages: [...lockfile.rootPackages] };
  if (lockfile.cliArgs !== undefined) {
    try {
      recorded = recordedLockArgs(lockfile.cliArgs);
    } catch {
      context.reporter.warn(`cannot read the options recorded in ${file} (x-opam-monorepo-cli-args); re-solving with the options given on the command line`);
    }
  }
  const merged = { ...options, ...recorded.options, ...explicitOptions(options) } as LockOptions;
  // A recorded relative --root was relative to the directory lock ran in: assume it is this one.
  return {
    options: { ...merged, root: options.root ?? recorded.options.root, lockfile: file, minimalUpdate: true, json: false, update: undefined },
    packages: recorded.packages,
  };
}

export function notLocked(name: string, file: string, lockfile: Lockfile): UserError {
  const sample = lockfile.depends.slice(0, 8).map((dependency) => dependency.name).join(", ");
  return new UserError("UNKNOWN_PACKAGE", `${name} is not in the lock file ${file}`, {
    hint: `\`opam-monorepo list\` shows the vendored packages; the lock file's packages include ${sample}${lockfile.depends.length > 8 ? ", …" : ""}`,
  });
}

export const SAME_ENV = "a lock made with OPAMVAR_* variables needs them again (mirage unikernels: OPAMVAR_monorepo=opam-monorepo)";

export type Solved = Extract<LockSolveResult, { ok: true }>;

/** Warns when the re-solve no longer gives the locked versions (repositories or variables changed). */
export function warnIfStale(reporter: Reporter, lockfile: Lockfile, result: Solved, file: string, shown: string): void {
  const solved = new Map(result.packages.map(({ package: pkg }) => [pkg.name, pkg.version]));
  const changed = lockfile.depends.filter((dependency) => solved.has(dependency.name) && solved.get(dependency.name) !== dependency.version);
  const dropped = lockfile.depends.filter((dependency) => !solved.has(dependency.name)).map((dependency) => dependency.name);
  if (changed.length === 0 && dropped.length === 0) return;
  const parts = changed.slice(0, 5).map((d) => `${d.name} (locked ${d.version}, now ${solved.get(d.name)})`);
  if (changed.length > 5) parts.push("…");
  if (dropped.length > 0) parts.push(`no longer selected: ${dropped.slice(0, 5).join(", ")}${dropped.length > 5 ? ", …" : ""}`);
  reporter.warn(
    `${file} does not match a fresh solve: ${parts.join("; ")}. ${shown}; ` +
      `${SAME_ENV}, otherwise run \`opam-monorepo lock --minimal-update\` to update the lock file.`,
  );
}

export interface LockedSolve {
  root: string;
  file: string;
  lockfile: Lockfile;
  run: LockRun;
  result: Solved;
}

/**
 * Finds and reads the lock file, then re-solves it (steps shown as info: stdout stays the
 * command's). The locked versions alone first (one candidate per package, so only their opam
 * files are read); a full re-solve when they no longer form a solution that `accept`s
 * (repositories or variables changed since the lock).
 */
export async function solveLockfile(
  context: CommandContext,
  options: LockOptions,
  check: (lockfile: Lockfile, file: string) => void = () => undefined,
  accept: (run: LockRun & { result: Solved }) => boolean = () => true,
): Promise<LockedSolve> {
  const root = projectRoot(options.root, context.cwd);
  const file = await lockfilePathForRead({ root, lockfile: options.lockfile });
  const lockfile = await readLockfile(file, root);
  const command = invokedAs(undefined, context.env);
  await checkLockFresh({ root, lockfile, env: context.env, cwd: context.cwd, reporter: context.reporter, command });
  check(lockfile, file);
  const request = solveRequest(context, options, lockfile, file);
  const quiet = { ...context, reporter: stepsAsInfo(context.reporter) };
  let run = await solveProject(quiet, request.options, request.packages, true);
  if (!run.result.ok || !accept(run as LockRun & { result: Solved })) run = await solveProject(quiet, request.options, request.packages);
  if (!run.result.ok) {
    const causes = { analysis: analyseFailure(run.result, run.targets), targets: run.targets.map((t) => t.name), buildOnly: request.options.buildOnly, command };
    throw solveFailure(run.result.diagnostics, { verbose: options.verbose > 0, overlayConfigured: run.inputs.overlayConfigured, phase: run.result.phase, causes });
  }
  return { root, file, lockfile, run, result: run.result };
}

/** The lock file's packages (locked versions) and the local packages the solve reached, with their kind. */
export function lockedPackages(solved: LockedSolve): { name: string; version: string; kind: "local" | "vendored" | "opam" }[] {
  const { lockfile, run, result } = solved;
  const reached = new Set([...lockfile.rootPackages, ...result.requiredBy.keys()]);
  const locals = run.project.locals.filter((local) => reached.has(local.name)).map((local) => ({ name: local.name, version: local.version, kind: "local" as const }));
  const locked = lockfile.depends.map((dependency) => ({ name: dependency.name, version: dependency.version, kind: dependency.vendored ? ("vendored" as const) : ("opam" as const) }));
  const lockedNames = new Set(locked.map((pkg) => pkg.name));
  return [...locals.filter((local) => !lockedNames.has(local.name)), ...locked];
}
