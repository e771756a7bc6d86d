// `why PKG`: the chains from a root package to a locked package, found by the lock's solve (its
// recorded options) over the locked versions alone, so only their opam files are read; a full
// re-solve when they no longer solve. Reads only; never writes the lock file.
import type { Command } from "commander";
import { UserError } from "../../core/errors.js";
import type { Implementation, Requirement, SolveSuccess } from "../../solve/model.js";
import { whyChains } from "../../solve/solver.js";
import { notLocked, SAME_ENV, solveLockfile, warnIfStale, type Solved } from "../locked-solve.js";
import { configureLockOptions, type LockOptions, type LockRun } from "./lock.js";
import type { CommandContext, CommandSpec } from "./index.js";

/** One package of a chain; `constraint` is what the previous package asks of it ("" = any version). */
export interface ChainLink {
  name: string;
  version: string;
  constraint: string;
}

const CHAIN_LIMIT = 5;

function implementation(name: string, version: string): Implementation {
  return { name, version, needs: { kind: "all", needs: [] }, conflicts: [], conflictClasses: [] };
}

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

async function runWhy(context: CommandContext, options: LockOptions, name: string): Promise<number> {
  const localsOf = (run: LockRun) => new Map(run.project.locals.map((local) => [local.name, local.version]));
  const { file, lockfile, run, result } = await solveLockfile(
    context,
    options,
    (lockfile, file) => {
      if (!lockfile.depends.some((dependency) => dependency.name === name) && !lockfile.rootPackages.includes(name)) throw notLocked(name, file, lockfile);
    },
    (run) => whyChains(solvedVersions(run.result, localsOf(run)), name, 1).length > 0,
  );
  const locked = lockfile.depends.find((dependency) => dependency.name === name);
  const solution = solvedVersions(result, localsOf(run));
  const chains = whyChains(solution, name, CHAIN_LIMIT).map((chain) => chainLinks(solution, chain));
  if (chains.length === 0) {
    throw new UserError("UNKNOWN_PACKAGE", `${name} is in ${file} but a fresh solve does not select it`, {
      hint: `${SAME_ENV}; if the repositories changed since, run \`opam-monorepo lock\` again`,
    });
  }
  warnIfStale(context.reporter, lockfile, result, file, "The chains below are those of the fresh solve");
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
