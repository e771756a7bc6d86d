// What `lock` produces from a solution: the duniverse repositories (planned, git refs pinned to
// commits) and the 0.3 Lockfile model (the UserError of a failure is lock-failure.ts's).
import { runCommand } from "../core/exec.js";
import { GIT_SAFE_CONFIG } from "../core/git-safety.js";
import { planDuniverse, resolveDuniverse, type DuniversePlan } from "../duniverse/plan.js";
import type { LockedDepext, Lockfile } from "../lockfile/model.js";
import { pinDependsOfRepos } from "../lockfile/encode.js";
import { filterToValue } from "../opam/filter.js";
import { isSafePackage, type OpamPackage } from "../opam/package.js";
import { makeRefResolver } from "../project/git-refs.js";
import type { SourceConfig } from "../project/config.js";
import type { LockedPackage } from "../solve/lock-solve.js";
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

export { explanationText, solveFailure, type SolveFailureOptions } from "./lock-failure.js";
