// What `lock` produces from a solution: the duniverse repositories (planned, git refs pinned to
// commits) and the 0.3 Lockfile model; and, on failure, the UserError carrying the explanation.
import { UserError } from "../core/errors.js";
import { runCommand } from "../core/exec.js";
import { GIT_SAFE_CONFIG } from "../core/git-safety.js";
import { OVERLAY_REPOSITORY_URL } from "../core/paths.js";
import { planDuniverse, resolveDuniverse, type DuniversePlan } from "../duniverse/plan.js";
import type { LockedDepext, Lockfile } from "../lockfile/model.js";
import { pinDependsOfRepos } from "../lockfile/encode.js";
import { filterToValue } from "../opam/filter.js";
import { isSafePackage, type OpamPackage } from "../opam/package.js";
import { makeRefResolver } from "../project/git-refs.js";
import type { SourceConfig } from "../project/config.js";
import { describeReason, explainFailure, type Explanation } from "../solve/explain.js";
import type { LockedPackage } from "../solve/lock-solve.js";
import type { Diagnostics, RejectReason } from "../solve/model.js";
import type { DuniverseRepo } from "../duniverse/plan.js";

export function planOfSolution(packages: readonly LockedPackage[]): DuniversePlan {
  return planDuniverse(packages.map((entry) => ({ package: entry.package, vendored: entry.vendored, pinned: entry.pinned })));
}

/** Pin git sources to commits with `git ls-remote` (24 at a time). */
export function resolveRepos(plan: DuniversePlan, env: NodeJS.ProcessEnv): Promise<DuniverseRepo[]> {
  const resolver = makeRefResolver(async (args) => (await runCommand("git", [...GIT_SAFE_CONFIG, ...args], { env, errorCode: "GIT_FAILED" })).stdout);
  return resolveDuniverse(plan.repos, resolver);
}

function depextsOf(packages: readonly OpamPackage[]): LockedDepext[] {
  return packages.flatMap((pkg) => pkg.depexts.map((depext) => ({ packages: depext.packages, filter: depext.filter && filterToValue(depext.filter) })));
}

export interface LockfileInputs {
  targets: readonly OpamPackage[];
  packages: readonly LockedPackage[];
  repos: DuniverseRepo[];
  config: SourceConfig;
  repositoriesUsed: string[] | undefined;
  cliArgs: string[];
}

export function buildLockfile(inputs: LockfileInputs): Lockfile {
  const depends = inputs.packages.map((entry) => ({
    name: entry.package.name,
    version: entry.package.version,
    vendored: entry.vendored && !isSafePackage(entry.package),
  }));
  return {
    version: "0.3",
    rootPackages: inputs.targets.map((pkg) => pkg.name),
    depends,
    depexts: depextsOf([...inputs.targets, ...inputs.packages.map((entry) => entry.package)]),
    pinDepends: pinDependsOfRepos(inputs.repos),
    repos: inputs.repos,
    cliArgs: inputs.cliArgs.length > 0 ? inputs.cliArgs : undefined,
    globalOpamVars: inputs.config.globalVars,
    opamProvided: inputs.config.opamProvided,
    opamRepositories: inputs.repositoriesUsed,
  };
}

function nonDuneMessage(packages: readonly string[], overlayConfigured: boolean): string {
  const list = packages.map((name) => `- ${name}`).join("\n");
  const overlay = overlayConfigured
    ? `The dune-universe opam repository (${OVERLAY_REPOSITORY_URL}) contains dune ports of some popular packages, however it appears to already be set up. Thus it is possible that no dune port exists for any of these packages.\n\nFor information on how to contribute a new dune port, see: https://github.com/dune-universe/opam-overlays`
    : `The dune-universe opam repository (${OVERLAY_REPOSITORY_URL}) contains dune ports of some popular packages. It doesn't appear to be set up. Adding it may fix this issue: add it to this switch with\n\nopam repository add dune-universe ${OVERLAY_REPOSITORY_URL}\n\nor list it first in x-opam-monorepo-opam-repositories / --add-opam-repositories.`;
  return (
    "Some dependencies cannot be built with dune!\n\nopam-monorepo requires that all dependencies use dune as their build system.\n\n" +
    `These dependencies (possibly transitive) don't use dune as their build system:\n${list}\n\n${overlay}`
  );
}

/**
 * Lays an explanation out as text: summary, then per package its chains, constraints and rejected
 * versions. The detail lines come after the summary unless `withDetails` is false.
 */
export function explanationText(explanation: Explanation, withDetails = true): string {
  const lines = [explanation.summary, ...(withDetails ? explanation.details : [])];
  for (const problem of explanation.problems) {
    lines.push(`- ${problem.package}`);
    for (const chain of problem.chains) lines.push(`    required by ${chain.slice(0, -1).reverse().join(" <- ") || "the request"}`);
    for (const constraint of problem.constraints) lines.push(`    ${constraint}`);
    if (problem.rejected.length > 0) lines.push("    Rejected candidates:");
    for (const { version, reason } of problem.rejected) lines.push(`      ${problem.package}.${version}: ${reason}`);
    if (problem.more > 0) lines.push(`      ... ${problem.more} more (use -v to see all)`);
  }
  return lines.join("\n");
}

export interface SolveFailureOptions {
  verbose: boolean;
  overlayConfigured: boolean;
  phase: "dune" | "opam-provided";
  /**
   * Where the "There is no eligible version of …" lines go. With it, each is logged as its own
   * `[ERROR]` line before the error (as the reference does, and as scripts grep for); without it
   * they are part of the error's message.
   */
  logError?: (line: string) => void;
}

/**
 * A hint for each failing package a user constraint (`--ocaml-version`) restricts: either no version
 * matches it at all, or the versions it leaves are excluded (and why).
 */
function userConstraintHints(diagnostics: Diagnostics): string[] {
  return diagnostics.problems.flatMap((problem) => {
    const constraint = (reason: RejectReason) => (reason.kind === "model" && reason.rejection.kind === "user-constraint" ? reason.rejection.constraint : undefined);
    const byUser = problem.rejected.map(({ reason }) => constraint(reason)).find((c) => c !== undefined);
    if (byUser === undefined) return [];
    const flag = problem.name === "ocaml" ? " (--ocaml-version)" : "";
    const left = problem.rejected.filter(({ reason }) => constraint(reason) === undefined);
    if (left.length === 0) {
      return [`no version of ${problem.name} in the repositories matches ${byUser}${flag}; the newest is ${problem.rejected[0]!.version}`];
    }
    const why = left.slice(0, 3).map(({ version, reason }) => `${problem.name}.${version}: ${describeReason(reason)}`);
    return [`${problem.name} is restricted to ${byUser}${flag}, which leaves ${why.join("; ")}`];
  });
}

/** The UserError for a failed solve: the non-dune paragraph (§4.7), or the explanation. */
export function solveFailure(diagnostics: Diagnostics, options: SolveFailureOptions): UserError {
  const explanation = explainFailure(diagnostics, { verbose: options.verbose });
  explanation.hints.unshift(...userConstraintHints(diagnostics));
  const details = { explanation, diagnostics: { problems: explanation.problems, notBuildableWithDune: diagnostics.notBuildableWithDune } };
  if (diagnostics.notBuildableWithDune.length > 0 && options.phase === "dune") {
    return new UserError("NOT_DUNE", nonDuneMessage(diagnostics.notBuildableWithDune, options.overlayConfigured), { details });
  }
  const opamProvided = options.phase === "opam-provided" ? "Solving opam-provided dependencies could not find a solution" : undefined;
  const logError = options.logError;
  if (logError !== undefined) [...(opamProvided ? [opamProvided] : []), ...explanation.details].forEach((line) => logError(line));
  const prefix = opamProvided !== undefined && logError === undefined ? `${opamProvided}.\n` : "";
  const text = explanationText(explanation, logError === undefined);
  return new UserError("NO_SOLUTION", prefix + text, { hint: explanation.hints.join("\n") || undefined, details });
}
