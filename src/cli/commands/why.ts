// `why PKG`: the chains from a root package to a locked package, found by re-running the lock's
// solve (its recorded options, preferring the locked versions). Reads only; never writes the lock file.
import { Command } from "commander";
import { UserError } from "../../core/errors.js";
import { stepsAsInfo, type Reporter } from "../../core/reporter.js";
import { readLockfile } from "../../lockfile/file.js";
import type { Lockfile } from "../../lockfile/model.js";
import { lockfilePathForRead, projectRoot } from "../../project/project.js";
import type { LockSolveResult } from "../../solve/lock-solve.js";
import type { Implementation, Requirement, SolveSuccess } from "../../solve/model.js";
import { whyChains } from "../../solve/solver.js";
import { addCommonOptions, expandPrefixes } from "../args.js";
import { invokedAs } from "../invocation.js";
import { analyseFailure } from "../lock-failure.js";
import { solveFailure } from "../lock-output.js";
import { checkLockFresh } from "../stale-lock.js";
import { configureLockOptions, solveProject, type LockOptions } from "./lock.js";
import type { CommandContext, CommandSpec } from "./index.js";

/** One package of a chain; `constraint` is what the previous package asks of it ("" = any version). */
export interface ChainLink {
  name: string;
  version: string;
  constraint: string;
}

const CHAIN_LIMIT = 5;

/** A throwaway `lock` parser, to read the options recorded in x-opam-monorepo-cli-args. */
function recordedLockArgs(args: readonly string[]): { options: Partial<LockOptions>; packages: string[] } {
  const program = new Command("opam-monorepo").exitOverride();
  const lock = configureLockOptions(addCommonOptions(program.command("lock")).argument("[packages...]"));
  lock.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined }).action(() => undefined);
  program.parse(expandPrefixes(program, ["lock", ...args]), { from: "user" });
  return { options: lock.opts() as Partial<LockOptions>, packages: lock.args };
}

/** Options a user gave to `why` itself (different from the defaults) win over recorded ones. */
function explicitOptions(options: LockOptions): Partial<LockOptions> {
  const defaults: Partial<LockOptions> = { indexCache: true };
  const explicit: Partial<LockOptions> = {};
  for (const [key, value] of Object.entries(options) as [keyof LockOptions, unknown][]) {
    if (value === undefined || value === false || value === defaults[key]) continue;
    (explicit as Record<string, unknown>)[key] = value;
  }
  return explicit;
}

interface SolveRequest {
  options: LockOptions;
  packages: string[];
}

/** The lock options of the original run, with the lock file being explained and minimal update. */
function solveRequest(context: CommandContext, options: LockOptions, lockfile: Lockfile, file: string): SolveRequest {
  let recorded: ReturnType<typeof recordedLockArgs> = { options: {}, packages: [...lockfile.rootPackages] };
  if (lockfile.cliArgs !== undefined) {
    try {
      recorded = recordedLockArgs(lockfile.cliArgs);
    } catch {
      context.reporter.warn(`cannot read the options recorded in ${file} (x-opam-monorepo-cli-args); re-solving with the options given to why`);
    }
  }
  const merged = { ...options, ...recorded.options, ...explicitOptions(options) } as LockOptions;
  // A recorded relative --root was relative to the directory lock ran in: assume it is this one.
  return {
    options: { ...merged, root: options.root ?? recorded.options.root, lockfile: file, minimalUpdate: true, json: false },
    packages: recorded.packages,
  };
}

function implementation(name: string, version: string): Implementation {
  return { name, version, needs: { kind: "all", needs: [] }, conflicts: [], conflictClasses: [] };
}

type Solved = Extract<LockSolveResult, { ok: true }>;

/** The SolveSuccess whyChains reads: every solved package plus the local ones (versions from the solve). */
function solvedVersions(result: Solved, locals: ReadonlyMap<string, string>): SolveSuccess {
  const selection = new Map<string, Implementation>();
  for (const [name, version] of locals) selection.set(name, implementation(name, version));
  for (const { package: pkg } of result.packages) selection.set(pkg.name, implementation(pkg.name, pkg.version));
  return { ok: true, selection, requiredBy: result.requiredBy, stats: result.stats[result.stats.length - 1]! };
}

function constraintOf(requiredBy: ReadonlyMap<string, Requirement[]>, parent: string | undefined, name: string): string {
  if (parent === undefined) return "";
  return requiredBy.get(name)?.find((requirement) => requirement.by === parent)?.constraint ?? "";
}

export function chainLinks(solution: SolveSuccess, chain: readonly string[]): ChainLink[] {
  return chain.map((name, index) => ({
    name,
    version: solution.selection.get(name)?.version ?? "",
    constraint: constraintOf(solution.requiredBy, chain[index - 1], name),
  }));
}

/** `hello -> shout {>= 2.0} -> greet {>= 1.0}` */
export function chainText(links: readonly ChainLink[]): string {
  return links.map((link) => (link.constraint === "" ? link.name : `${link.name} {${link.constraint}}`)).join(" -> ");
}

function notLocked(name: string, file: string, lockfile: Lockfile): UserError {
  const sample = lockfile.depends.slice(0, 8).map((dependency) => dependency.name).join(", ");
  return new UserError("UNKNOWN_PACKAGE", `${name} is not in the lock file ${file}`, {
    hint: `\`opam-monorepo list\` shows the vendored packages; the lock file's packages include ${sample}${lockfile.depends.length > 8 ? ", …" : ""}`,
  });
}

const SAME_ENV = "a lock made with OPAMVAR_* variables needs them again (mirage unikernels: OPAMVAR_monorepo=opam-monorepo)";

/** Warns when the re-solve no longer gives the locked versions (repositories or variables changed). */
function warnIfStale(reporter: Reporter, lockfile: Lockfile, result: Solved, file: string): void {
  const solved = new Map(result.packages.map(({ package: pkg }) => [pkg.name, pkg.version]));
  const changed = lockfile.depends.filter((dependency) => solved.has(dependency.name) && solved.get(dependency.name) !== dependency.version);
  const dropped = lockfile.depends.filter((dependency) => !solved.has(dependency.name)).map((dependency) => dependency.name);
  if (changed.length === 0 && dropped.length === 0) return;
  const parts = changed.slice(0, 5).map((d) => `${d.name} (locked ${d.version}, now ${solved.get(d.name)})`);
  if (changed.length > 5) parts.push("…");
  if (dropped.length > 0) parts.push(`no longer selected: ${dropped.slice(0, 5).join(", ")}${dropped.length > 5 ? ", …" : ""}`);
  reporter.warn(
    `${file} does not match a fresh solve: ${parts.join("; ")}. The chains below are those of the fresh solve; ` +
      `${SAME_ENV}, otherwise run \`opam-monorepo lock --minimal-update\` to update the lock file.`,
  );
}

async function runWhy(context: CommandContext, options: LockOptions, name: string): Promise<number> {
  const root = projectRoot(options.root, context.cwd);
  const file = await lockfilePathForRead({ root, lockfile: options.lockfile });
  const lockfile = await readLockfile(file, root);
  await checkLockFresh({ root, lockfile, env: context.env, cwd: context.cwd, reporter: context.reporter, command: invokedAs(undefined, context.env) });
  const locked = lockfile.depends.find((dependency) => dependency.name === name);
  if (locked === undefined && !lockfile.rootPackages.includes(name)) throw notLocked(name, file, lockfile);
  const request = solveRequest(context, options, lockfile, file);
  const run = await solveProject({ ...context, reporter: stepsAsInfo(context.reporter) }, request.options, request.packages);
  if (!run.result.ok) {
    const command = invokedAs(undefined, context.env);
    const causes = { analysis: analyseFailure(run.result, run.targets), targets: run.targets.map((t) => t.name), buildOnly: request.options.buildOnly, command };
    throw solveFailure(run.result.diagnostics, { verbose: options.verbose > 0, overlayConfigured: run.inputs.overlayConfigured, phase: run.result.phase, causes });
  }
  const solution = solvedVersions(run.result, new Map(run.project.locals.map((local) => [local.name, local.version])));
  const chains = whyChains(solution, name, CHAIN_LIMIT).map((chain) => chainLinks(solution, chain));
  if (chains.length === 0) {
    throw new UserError("UNKNOWN_PACKAGE", `${name} is in ${file} but a fresh solve does not select it`, {
      hint: `${SAME_ENV}; if the repositories changed since, run \`opam-monorepo lock\` again`,
    });
  }
  warnIfStale(context.reporter, lockfile, run.result, file);
  if (options.json) {
    const json = { ok: true, lockfile: file, package: name, version: locked?.version ?? solution.selection.get(name)?.version, vendored: locked?.vendored ?? false, chains };
    context.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    context.stdout.write(chains.map((chain) => `${chainText(chain)}\n`).join(""));
  }
  return 0;
}

export const whyCommand: CommandSpec = {
  name: "why",
  summary: "explain why a package is in the lock file: the chains from a root package to it",
  examples: ["opam-monorepo why greet", "opam-monorepo why zarith -l mirage/hello-hvt.opam.locked", "opam-monorepo why fmt --json"],
  operandCount: 1,
  configure(command: Command) {
    configureLockOptions(command.argument("<package>", "a package of the lock file"));
    const lockfile = command.options.find((option) => option.long === "--lockfile");
    if (lockfile) lockfile.description = "the lock file to explain (default: the only *.opam.locked at the root)";
    const json = command.options.find((option) => option.long === "--json");
    if (json) json.description = "print the chains as JSON";
  },
  run(context, options, operands) {
    return runWhy(context, options as unknown as LockOptions, operands[0]!);
  },
};
