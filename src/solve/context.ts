// The solver context: opam packages from a repository (plus fixed local/pinned packages) turned
// into the solver's candidates, in opam-monorepo's order (§4.3 of the behaviour reference):
// availability, user constraints, dune and cross-compile checks, avoid-version demotion,
// preferred versions, opam-provided removal and same-source conflicts. Pure: no I/O of its own.
import type { Env } from "../opam/env.js";
import { dependencyFlagsEnv, mergeEnvs, packageEnv } from "../opam/env.js";
import {
  filterDependencies,
  formatVersionFormula,
  formulaAtoms,
  removeNames,
  versionSatisfies,
  type PackageFormula,
  type VersionFormula,
} from "../opam/formula.js";
import { dependsOnDune, hasFlag, isAvailable, isSafePackage, isVirtual, type OpamPackage } from "../opam/package.js";
import { normaliseDevRepo } from "../opam/url.js";
import { compareVersions, versionsEqual } from "../opam/version.js";
import type { Repository } from "../repository/repository.js";
import type { Candidate, Conflict, Implementation, Need, Root, SolverInput } from "./model.js";
import type { Rejection } from "./rejection.js";

/** A version restriction given by the user (`--ocaml-version`) or by the first solve's pins. */
export interface UserConstraint {
  versions: VersionFormula;
}

export interface ContextOptions {
  repository: Repository;
  /** Global variables (with OPAMVAR_* overrides already on top). */
  env: Env;
  /** Local packages and pin-depends: the only candidate of their name. */
  fixed: ReadonlyMap<string, OpamPackage>;
  /** Names whose `with-test` dependencies count (the targets, unless --build-only). */
  withTest: ReadonlySet<string>;
  requireDune: boolean;
  requireCrossCompile: boolean;
  allowJbuilder: boolean;
  /** Removed from every candidate's depends (x-opam-monorepo-opam-provided). */
  opamProvided: ReadonlySet<string>;
  /** --minimal-update: the previous lock file's versions, tried first. */
  preferred: ReadonlyMap<string, string>;
  userConstraints: ReadonlyMap<string, UserConstraint>;
  /** opam-monorepo sets `dev` only for versions that are `dev` (explicit repositories). */
  devVersionsOnly: boolean;
}

export interface SolverContext {
  input: SolverInput;
  /** The opam package behind a selected or offered version. */
  packageOf(name: string, version: string): OpamPackage | undefined;
}

interface SourceEntry {
  name: string;
  version: string;
  checksums: ReadonlySet<string>;
}

export function createSolverContext(roots: Root[], options: ContextOptions): SolverContext {
  const packages = new Map<string, OpamPackage>();
  const sources = new Map<string, SourceEntry[]>();
  const key = (name: string, version: string) => `${name}\u0000${version}`;
  const candidates = (name: string): Candidate[] => {
    const offered = offeredPackages(name, options);
    for (const pkg of offered) packages.set(key(pkg.name, pkg.version), pkg);
    return orderCandidates(name, offered, options, sources);
  };
  return {
    input: { roots, candidates, compareVersions },
    packageOf: (name, version) => packages.get(key(name, version)),
  };
}

function offeredPackages(name: string, options: ContextOptions): OpamPackage[] {
  const fixed = options.fixed.get(name);
  if (fixed) return [fixed];
  const offered: OpamPackage[] = [];
  for (const version of options.repository.versions(name)) {
    const pkg = options.repository.readOpam(name, version);
    if (pkg) offered.push(pkg);
  }
  return offered;
}

/** The model rejection of one version, before the dune and cross-compile checks. */
function baseRejection(pkg: OpamPackage, options: ContextOptions): Rejection | undefined {
  const constraint = options.userConstraints.get(pkg.name);
  if (constraint && !versionSatisfies(pkg.version, constraint.versions)) {
    return { kind: "user-constraint", constraint: formatVersionFormula(constraint.versions) };
  }
  if (options.fixed.has(pkg.name)) return undefined;
  if (!isAvailable(pkg, options.env)) return { kind: "unavailable" };
  return undefined;
}

function buildRejection(pkg: OpamPackage, options: ContextOptions, crossCompile: boolean): Rejection | undefined {
  if (options.fixed.has(pkg.name)) return undefined;
  if (options.requireDune && !isSafePackage(pkg) && !dependsOnDune(pkg, options.allowJbuilder)) return { kind: "not-dune" };
  if (crossCompile && !pkg.tags.includes("cross-compile")) return { kind: "no-cross-compile" };
  return undefined;
}

function orderCandidates(name: string, offered: OpamPackage[], options: ContextOptions, sources: Map<string, SourceEntry[]>): Candidate[] {
  const base = offered.map((pkg) => ({ pkg, rejection: baseRejection(pkg, options) }));
  const crossCompile =
    options.requireCrossCompile && base.some(({ pkg, rejection }) => rejection === undefined && pkg.tags.includes("cross-compile"));
  const judged = base.map(({ pkg, rejection }) => ({ pkg, rejection: rejection ?? buildRejection(pkg, options, crossCompile) }));
  const usable = judged.filter((entry) => entry.rejection === undefined).map((entry) => entry.pkg);
  const avoided = (pkg: OpamPackage) => hasFlag(pkg, "avoid-version") || hasFlag(pkg, "deprecated");
  const ordered = [...usable.filter((pkg) => !avoided(pkg)), ...usable.filter(avoided)];
  const preferred = options.preferred.get(name);
  if (preferred !== undefined) {
    const index = ordered.findIndex((pkg) => versionsEqual(pkg.version, preferred));
    if (index > 0) ordered.unshift(...ordered.splice(index, 1));
  }
  const sourceConflicts = sameSourceConflicts(ordered, options, sources);
  const accepted: Candidate[] = ordered.map((pkg) => ({ ok: true, impl: implementationOf(pkg, options, sourceConflicts.get(pkg) ?? []) }));
  const rejected: Candidate[] = judged
    .filter((entry) => entry.rejection !== undefined)
    .map((entry) => ({ ok: false, name: entry.pkg.name, version: entry.pkg.version, rejection: entry.rejection! }));
  return [...accepted, ...rejected];
}

/**
 * Packages of one source repository (same normalised dev-repo) must come from the same archive:
 * a version whose checksums share nothing with an already-offered version of a sibling package
 * conflicts with it. The table fills as names are asked for; every pair is covered by whichever
 * side is asked second. Pinned (fixed) and virtual packages are exempt.
 */
function sameSourceConflicts(ordered: OpamPackage[], options: ContextOptions, sources: Map<string, SourceEntry[]>): Map<OpamPackage, Conflict[]> {
  const result = new Map<OpamPackage, Conflict[]>();
  const recorded: [string, SourceEntry][] = [];
  for (const pkg of ordered) {
    if (options.fixed.has(pkg.name) || isVirtual(pkg) || pkg.devRepo === undefined) continue;
    const checksums = new Set((pkg.url?.checksums ?? []).map((c) => `${c.algo}=${c.hex}`));
    if (checksums.size === 0) continue;
    const devRepo = normaliseDevRepo(pkg.devRepo.raw);
    const siblings = (sources.get(devRepo) ?? []).filter((entry) => entry.name !== pkg.name && ![...entry.checksums].some((c) => checksums.has(c)));
    result.set(pkg, conflictsByName(siblings));
    recorded.push([devRepo, { name: pkg.name, version: pkg.version, checksums }]);
  }
  for (const [devRepo, entry] of recorded) {
    const list = sources.get(devRepo) ?? [];
    list.push(entry);
    sources.set(devRepo, list);
  }
  return result;
}

/**
 * One conflict per sibling package name (not per version): the solver checks each conflict
 * against every version of the name, and a large source repository (dune's, with a dozen
 * packages and hundreds of versions) would otherwise give hundreds of thousands of them.
 */
function conflictsByName(siblings: readonly SourceEntry[]): Conflict[] {
  const byName = new Map<string, string[]>();
  for (const entry of siblings) byName.set(entry.name, [...(byName.get(entry.name) ?? []), entry.version]);
  return [...byName].map(([name, versions]): Conflict => {
    const forbidden = new Set(versions);
    const shown = versions.slice(0, 3).map((v) => `= ${v}`).join(" | ");
    const constraint = versions.length > 3 ? `${shown} | … (${versions.length} versions from another archive)` : shown;
    // Exact spellings: the solver passes the versions this context offered for `name`.
    return { name, rejects: (v: string) => forbidden.has(v), constraint };
  });
}

function dependencyEnv(pkg: OpamPackage, options: ContextOptions): Env {
  const flags = dependencyFlagsEnv({
    build: true,
    post: true,
    withTest: options.withTest.has(pkg.name),
    withDoc: false,
    withDevSetup: false,
    dev: options.devVersionsOnly ? pkg.version === "dev" : false,
  });
  return mergeEnvs(flags, packageEnv(pkg.name, pkg.version), options.env);
}

function implementationOf(pkg: OpamPackage, options: ContextOptions, sourceConflicts: Conflict[]): Implementation {
  const env = dependencyEnv(pkg, options);
  const depends = removeNames(filterDependencies(pkg.depends, env), options.opamProvided);
  const conflicts = formulaAtoms(filterDependencies(pkg.conflicts, env)).map(
    (atom): Conflict => ({
      name: atom.name,
      rejects: (version: string) => versionSatisfies(version, atom.versions),
      constraint: formatVersionFormula(atom.versions),
    }),
  );
  return { name: pkg.name, version: pkg.version, needs: needOf(depends), conflicts: [...conflicts, ...sourceConflicts], conflictClasses: pkg.conflictClass };
}

/** A filtered package formula as a solver need. */
export function needOf(formula: PackageFormula): Need {
  switch (formula.kind) {
    case "empty":
      return { kind: "all", needs: [] };
    case "atom": {
      const versions = formula.atom.versions;
      if (versions.kind === "empty") return { kind: "package", name: formula.atom.name, constraint: "" };
      return { kind: "package", name: formula.atom.name, accepts: (v) => versionSatisfies(v, versions), constraint: formatVersionFormula(versions) };
    }
    case "and":
      return { kind: "all", needs: formula.items.map(needOf) };
    case "or":
      return { kind: "any", needs: formula.items.map(needOf) };
  }
}
