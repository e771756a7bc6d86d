// Package formulas (opamFormula.ml, opamFormat.ml): opam's filter_deps partial evaluation into
// pure version formulas, version checks and formatting for messages. The Formula type and its
// combinators are in formula-core.ts, parsing from the AST in formula-parse.ts (re-exported here).
import type { Env } from "./env.js";
import { evalFilter, filterHolds } from "./filter.js";
import {
  atom, EMPTY, join, mapFormula,
  type ConstraintItem, type FilteredPackageFormula, type Formula, type PackageFormula, type VersionConstraint, type VersionFormula,
} from "./formula-core.js";
import { compareVersions, isValidVersion, relopHolds } from "./version.js";

export {
  and, atom, EMPTY, formulaAtoms, formulaNames, mapFormula, negateFormula, negateRelop, or, removeNames,
  type ConstraintItem, type FilteredAtom, type FilteredPackageFormula, type Formula, type PackageAtom, type PackageFormula,
  type VersionConstraint, type VersionFormula,
} from "./formula-core.js";
export { parseConflictClass, parseConstraint, parseDepends, parseDisjunction, parsePackageFormula } from "./formula-parse.js";
export { isValidPackageName } from "./names.js";

// ---- Evaluation ----------------------------------------------------------------------------------

/** A partially evaluated formula: decided (true/false) or still a formula (opam's `True|`False|`Formula). */
type Reduced<A> = boolean | Formula<A>;

function reducedJoin<A>(kind: "and" | "or", parts: readonly Reduced<A>[]): Reduced<A> {
  const absorb = kind === "or";
  const kept: Formula<A>[] = [];
  for (const part of parts) {
    if (part === absorb) return absorb;
    if (part !== !absorb) kept.push(part as Formula<A>);
  }
  return kept.length === 0 ? !absorb : join(kind, kept);
}

function evalConstraint(formula: Formula<ConstraintItem>, env: Env): Reduced<VersionConstraint> {
  switch (formula.kind) {
    case "empty":
      return true;
    case "atom": {
      const item = formula.atom;
      if (item.kind === "filter") return filterHolds(item.filter, env);
      const version = evalFilter(item.version, env);
      // An undefined or invalid version expression drops the constraint (opam logs a warning).
      if (version === undefined) return true;
      const text = String(version);
      return isValidVersion(text) ? atom({ op: item.op, version: text }) : true;
    }
    default:
      return reducedJoin(
        formula.kind,
        formula.items.map((item) => evalConstraint(item, env)),
      );
  }
}

/**
 * opam's filter_deps: every filter becomes a boolean (undefined → false), constraints get their
 * version expression evaluated; a false atom disappears (neutral Empty), a true one keeps no
 * constraint. `env` must answer the dependency flags (build, post, with-test, …) as well.
 */
export function filterDependencies(formula: FilteredPackageFormula, env: Env): PackageFormula {
  return mapFormula(formula, (a) => {
    const result = evalConstraint(a.constraint, env);
    if (result === false) return EMPTY;
    return atom({ name: a.name, versions: result === true ? EMPTY : result });
  });
}

/** Empty = true (any version). */
export function versionSatisfies(version: string, formula: VersionFormula): boolean {
  switch (formula.kind) {
    case "empty":
      return true;
    case "atom":
      return relopHolds(formula.atom.op, compareVersions(version, formula.atom.version));
    case "and":
      return formula.items.every((item) => versionSatisfies(version, item));
    case "or":
      return formula.items.some((item) => versionSatisfies(version, item));
  }
}

/** opam style: `>= 1.0 & < 2.0`, `< 1 | >= 2`, `>= 1 & (< 2 | > 3)`; empty is "". */
export function formatVersionFormula(formula: VersionFormula, inAnd = false): string {
  switch (formula.kind) {
    case "empty":
      return "";
    case "atom":
      return `${formula.atom.op} ${formula.atom.version}`;
    case "and":
      return formula.items.map((item) => formatVersionFormula(item, true)).join(" & ");
    case "or": {
      const text = formula.items.map((item) => formatVersionFormula(item)).join(" | ");
      return inAnd ? `(${text})` : text;
    }
  }
}

/** `name` or `name (>= 1.0)`, joined with `&` / `|`, for messages. */
export function formatPackageFormula(formula: PackageFormula, inAnd = false): string {
  switch (formula.kind) {
    case "empty":
      return "";
    case "atom": {
      const versions = formatVersionFormula(formula.atom.versions);
      return versions === "" ? formula.atom.name : `${formula.atom.name} (${versions})`;
    }
    case "and":
      return formula.items.map((item) => formatPackageFormula(item, true)).join(" & ");
    case "or": {
      const text = formula.items.map((item) => formatPackageFormula(item)).join(" | ");
      return inAnd ? `(${text})` : text;
    }
  }
}
