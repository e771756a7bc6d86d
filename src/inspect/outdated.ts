// PURE: `outdated` — for each locked package, the newest version the repositories have and the
// newest version the rest of the locked solution allows: available on the platform, accepted by
// every other selected package's dependencies and conflicts, and whose own dependencies and
// conflicts accept the other locked versions (it may add new packages). Reads the repository
// through its query interface only.
import { dependencyFlagsEnv, mergeEnvs, packageEnv, type Env } from "../opam/env.js";
import { filterDependencies, formulaNames, versionSatisfies, type PackageAtom, type PackageFormula } from "../opam/formula.js";
import { dependsOnDune, isAvailable, isSafePackage, type OpamPackage } from "../opam/package.js";
import { compareVersions } from "../opam/version.js";
import type { Repository } from "../repository/repository.js";

export interface OutdatedRow {
  name: string;
  locked: string;
  /** The newest version the rest of the solution allows (the locked one when nothing newer fits). */
  compatible: string;
  /** The newest version in the repositories. */
  latest: string;
  vendored: boolean;
}

export interface OutdatedInput {
  repository: Pick<Repository, "versions" | "readOpam">;
  /** Global variables (the lock's). */
  env: Env;
  /** The locked packages to judge. */
  locked: readonly { name: string; version: string; vendored: boolean }[];
  /** Every selected package (locked and local), by name: whose constraints must keep holding. */
  selection: ReadonlyMap<string, OpamPackage>;
  /** Names whose with-test dependencies count (the targets, unless --build-only). */
  withTest: ReadonlySet<string>;
  allowJbuilder: boolean;
}

/**
 * A filtered formula against a selection: `yes` (the selected versions satisfy it), `no` (they
 * contradict it), `new` (it needs packages not selected, which could be added). An alternative
 * (`a | b`) that selected packages contradict and that no selected package satisfies is `no`:
 * adding the other alternative is assumed to clash (ocaml-base-compiler vs ocaml-variants).
 */
type Verdict = "yes" | "no" | "new";

function judge(formula: PackageFormula, selected: (name: string) => string | undefined): Verdict {
  switch (formula.kind) {
    case "empty":
      return "yes";
    case "atom": {
      const version = selected(formula.atom.name);
      return version === undefined ? "new" : holds(formula.atom, version) ? "yes" : "no";
    }
    case "and": {
      const verdicts = formula.items.map((item) => judge(item, selected));
      return verdicts.includes("no") ? "no" : verdicts.includes("new") ? "new" : "yes";
    }
    case "or": {
      const verdicts = formula.items.map((item) => judge(item, selected));
      return verdicts.includes("yes") ? "yes" : verdicts.includes("no") ? "no" : "new";
    }
  }
}

function conflictAtoms(formula: PackageFormula): PackageAtom[] {
  if (formula.kind === "atom") return [formula.atom];
  if (formula.kind === "empty") return [];
  return formula.items.flatMap(conflictAtoms);
}

function envOf(pkg: OpamPackage, input: OutdatedInput): Env {
  const flags = dependencyFlagsEnv({ build: true, post: true, withTest: input.withTest.has(pkg.name), withDoc: false, withDevSetup: false, dev: false });
  return mergeEnvs(flags, packageEnv(pkg.name, pkg.version), input.env);
}

interface Edges {
  depends: PackageFormula;
  names: ReadonlySet<string>;
  conflicts: PackageAtom[];
}

function edgesOf(pkg: OpamPackage, input: OutdatedInput): Edges {
  const env = envOf(pkg, input);
  const depends = filterDependencies(pkg.depends, env);
  return { depends, names: formulaNames(depends), conflicts: conflictAtoms(filterDependencies(pkg.conflicts, env)) };
}

const holds = (atom: PackageAtom, version: string) => atom.versions.kind === "empty" || versionSatisfies(version, atom.versions);

/** Whether `candidate` can replace the locked version of its name with every other package kept. */
function fits(candidate: OpamPackage, vendored: boolean, input: OutdatedInput, others: ReadonlyMap<string, Edges>): boolean {
  if (!isAvailable(candidate, input.env)) return false;
  if (vendored && !isSafePackage(candidate) && !dependsOnDune(candidate, input.allowJbuilder)) return false;
  const selected = (name: string) => (name === candidate.name ? candidate.version : input.selection.get(name)?.version);
  for (const [name, edges] of others) {
    if (name === candidate.name) continue;
    if (edges.names.has(candidate.name) && judge(edges.depends, selected) === "no") return false;
    if (edges.conflicts.some((atom) => atom.name === candidate.name && holds(atom, candidate.version))) return false;
  }
  const own = edgesOf(candidate, input);
  if (judge(own.depends, selected) === "no") return false;
  return !own.conflicts.some((atom) => atom.name !== candidate.name && selected(atom.name) !== undefined && holds(atom, selected(atom.name)!));
}

/** A version whose opam file does not parse is skipped (the lock could not select it either). */
function readOrSkip(input: OutdatedInput, name: string, version: string): OpamPackage | undefined {
  try {
    return input.repository.readOpam(name, version);
  } catch {
    return undefined;
  }
}

export function outdatedRows(input: OutdatedInput): OutdatedRow[] {
  const others = new Map([...input.selection].map(([name, pkg]) => [name, edgesOf(pkg, input)]));
  return input.locked.map(({ name, version, vendored }) => {
    const versions = input.repository.versions(name);
    const latest = versions[0] !== undefined && compareVersions(versions[0], version) > 0 ? versions[0] : version;
    let compatible = version;
    for (const candidate of versions) {
      if (compareVersions(candidate, version) <= 0) break;
      const pkg = readOrSkip(input, name, candidate);
      if (pkg !== undefined && fits(pkg, vendored, input, others)) {
        compatible = candidate;
        break;
      }
    }
    return { name, locked: version, compatible, latest, vendored };
  });
}
