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
import { hasFlag, isAvailable, isSafePackage, isVirtual, type OpamPackage } from "../opam/package.js";
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
  /** The opam package behind a selected or offered version (decoded again on each call). */
  packageOf(name: string, version: string): OpamPackage | undefined;
}

export function createSolverContext(roots: Root[], options: ContextOptions): SolverContext {
  const sources = new Map<string, SourceGroup>();
  const candidates = (name: string): Candidate[] => {
    const { offered, excluded } = offeredPackages(name, options);
    return [...orderCandidates(name, offered, options, sources), ...excluded];
  };
  // Packages are not kept once their candidates are made (the repository decodes them again):
  // thousands of versions' formulas then die young instead of living as long as the process.
  const packageOf = (name: string, version: string): OpamPackage | undefined => {
    const fixed = options.fixed.get(name);
    if (fixed !== undefined) return fixed.version === version ? fixed : undefined;
    return options.repository.readOpam(name, version);
  };
  return { input: { roots, candidates, compareVersions }, packageOf };
}

/**
 * The packages of a name's versions, except those a user constraint (`--ocaml-version`, the
 * second solve's pins) excludes: their opam files are never read, they are rejected candidates
 * straight away (in the second solve that is nearly every version of every package).
 */
function offeredPackages(name: string, options: ContextOptions): { offered: OpamPackage[]; excluded: Candidate[] } {
  const constraint = options.userConstraints.get(name);
  const allowed = (version: string) => constraint === undefined || versionSatisfies(version, constraint.versions);
  const excluded: Candidate[] = [];
  const exclude = (version: string) => {
    excluded.push({ ok: false, name, version, rejection: { kind: "user-constraint", constraint: formatVersionFormula(constraint!.versions) } });
  };
  const fixed = options.fixed.get(name);
  if (fixed) {
    if (allowed(fixed.version)) return { offered: [fixed], excluded };
    exclude(fixed.version);
    return { offered: [], excluded };
  }
  const offered: OpamPackage[] = [];
  for (const version of options.repository.versions(name)) {
    if (!allowed(version)) {
      exclude(version);
      continue;
    }
    const pkg = options.repository.readOpam(name, version);
    if (pkg) offered.push(pkg);
  }
  return { offered, excluded };
}

/** The model rejection of one version (user constraints are applied before), before the dune and cross-compile checks. */
function baseRejection(pkg: OpamPackage, options: ContextOptions): Rejection | undefined {
  if (options.fixed.has(pkg.name)) return undefined;
  if (!isAvailable(pkg, options.env)) return { kind: "unavailable" };
  return undefined;
}

function buildRejection(pkg: OpamPackage, options: ContextOptions, crossCompile: boolean): Rejection | undefined {
  if (options.fixed.has(pkg.name)) return undefined;
  if (options.requireDune && !isSafePackage(pkg) && !buildsWithDune(pkg, options.allowJbuilder)) return { kind: "not-dune" };
  if (crossCompile && !pkg.tags.includes("cross-compile")) return { kind: "no-cross-compile" };
  return undefined;
}

/** opam-monorepo's dune check (`dependsOnDune`), without building name sets: it runs for every version. */
function buildsWithDune(pkg: OpamPackage, allowJbuilder: boolean): boolean {
  const mentions = (formula: OpamPackage["depends"]): boolean => {
    if (formula.kind === "atom") return formula.atom.name === "dune" || (allowJbuilder && formula.atom.name === "jbuilder");
    return formula.kind !== "empty" && formula.items.some(mentions);
  };
  return mentions(pkg.depends) || mentions(pkg.depopts);
}

function orderCandidates(name: string, offered: OpamPackage[], options: ContextOptions, sources: Map<string, SourceGroup>): Candidate[] {
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

/** What one source repository (normalised dev-repo) has offered so far, indexed for conflicts. */
interface SourceGroup {
  /** Package name → its recorded versions (in offer order; complete once recorded). */
  versions: Map<string, { list: string[]; set: Set<string> }>;
  /** Checksum → every recorded [name, version] with it. */
  byChecksum: Map<string, [string, string][]>;
}

/**
 * Packages of one source repository (same normalised dev-repo) must come from the same archive:
 * a version whose checksums share nothing with an already-offered version of a sibling package
 * conflicts with it. The table fills as names are asked for; every pair is covered by whichever
 * side is asked second. Pinned (fixed) and virtual packages are exempt.
 */
function sameSourceConflicts(ordered: OpamPackage[], options: ContextOptions, sources: Map<string, SourceGroup>): Map<OpamPackage, Conflict[]> {
  const result = new Map<OpamPackage, Conflict[]>();
  const recorded: [SourceGroup, OpamPackage, string[]][] = [];
  for (const pkg of ordered) {
    if (options.fixed.has(pkg.name) || isVirtual(pkg) || pkg.devRepo === undefined) continue;
    const checksums = [...new Set((pkg.url?.checksums ?? []).map((c) => `${c.algo}=${c.hex}`))];
    if (checksums.length === 0) continue;
    const devRepo = devRepoKey(pkg.devRepo.raw);
    let group = sources.get(devRepo);
    if (group === undefined) sources.set(devRepo, (group = { versions: new Map(), byChecksum: new Map() }));
    result.set(pkg, siblingConflicts(group, pkg.name, checksums));
    recorded.push([group, pkg, checksums]);
  }
  for (const [group, pkg, checksums] of recorded) {
    let versions = group.versions.get(pkg.name);
    if (versions === undefined) group.versions.set(pkg.name, (versions = { list: [], set: new Set() }));
    versions.list.push(pkg.version);
    versions.set.add(pkg.version);
    for (const checksum of checksums) {
      const ids = group.byChecksum.get(checksum);
      if (ids === undefined) group.byChecksum.set(checksum, [[pkg.name, pkg.version]]);
      else ids.push([pkg.name, pkg.version]);
    }
  }
  return result;
}

/**
 * One conflict per sibling package name (not per version): the solver checks each conflict
 * against every version of the name, and a large source repository (dune's, with a dozen
 * packages and hundreds of versions) would otherwise give hundreds of thousands of them.
 */
function siblingConflicts(group: SourceGroup, name: string, checksums: readonly string[]): Conflict[] {
  const sharing = new Map<string, Set<string>>();
  for (const checksum of checksums) {
    for (const [sibling, version] of group.byChecksum.get(checksum) ?? []) {
      const set = sharing.get(sibling);
      if (set === undefined) sharing.set(sibling, new Set([version]));
      else set.add(version);
    }
  }
  const conflicts: Conflict[] = [];
  for (const [sibling, versions] of group.versions) {
    if (sibling === name) continue;
    const shared = sharing.get(sibling);
    const count = versions.list.length - (shared?.size ?? 0);
    if (count === 0) continue;
    // Exact spellings: the solver passes the versions this context offered for `sibling`.
    const rejects = shared === undefined ? (v: string) => versions.set.has(v) : (v: string) => versions.set.has(v) && !shared.has(v);
    // For explanations: every version but the same release(s), e.g. `foo != 1.2.0`.
    const constraint = shared === undefined ? "" : [...shared].map((v) => `!= ${v}`).join(" & ");
    conflicts.push({ name: sibling, rejects, constraint });
  }
  return conflicts;
}

const normalisedDevRepos = new Map<string, string>();

function devRepoKey(raw: string): string {
  let key = normalisedDevRepos.get(raw);
  if (key === undefined) normalisedDevRepos.set(raw, (key = normaliseDevRepo(raw)));
  return key;
}

/** The four filter_deps flag environments (with-test × dev), built once. */
const FLAG_ENVS: Env[] = [false, true].flatMap((withTest) =>
  [false, true].map((dev) => dependencyFlagsEnv({ build: true, post: true, withTest, withDoc: false, withDevSetup: false, dev })),
);

function dependencyEnv(pkg: OpamPackage, options: ContextOptions): Env {
  const withTest = options.withTest.has(pkg.name);
  const dev = options.devVersionsOnly ? pkg.version === "dev" : false;
  return mergeEnvs(FLAG_ENVS[(withTest ? 2 : 0) + (dev ? 1 : 0)]!, packageEnv(pkg.name, pkg.version), options.env);
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
