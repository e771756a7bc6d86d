// The Formula type (opamFormula.ml) and its combinators: constructors, and/or, map, negate, atom
// and name queries. Empty is neutral when building (and(Empty, x) = x, or(Empty, x) = x); blocks are
// collapsed. Pure; knows nothing of opam syntax or environments.
import type { Pos, RelOp } from "./ast.js";
import type { Filter } from "./filter.js";

export type Formula<A> =
  | { readonly kind: "empty" }
  | { readonly kind: "atom"; readonly atom: A }
  /** At least two items, none empty, none of the same kind (nested and/or are flattened). */
  | { readonly kind: "and" | "or"; readonly items: readonly Formula<A>[] };

/** One element of a `{ … }` constraint: `>= "1.0"` / `= version`, or a filter such as `with-test`. */
export type ConstraintItem =
  | { readonly kind: "constraint"; readonly op: RelOp; readonly version: Filter }
  | { readonly kind: "filter"; readonly filter: Filter };

/** `"name" {constraints}` as written, before evaluation. */
export interface FilteredAtom {
  readonly name: string;
  readonly constraint: Formula<ConstraintItem>;
  readonly pos: Pos;
}
export type FilteredPackageFormula = Formula<FilteredAtom>;

export interface VersionConstraint {
  readonly op: RelOp;
  readonly version: string;
}
export type VersionFormula = Formula<VersionConstraint>;

export interface PackageAtom {
  readonly name: string;
  /** Empty = any version. */
  readonly versions: VersionFormula;
}
export type PackageFormula = Formula<PackageAtom>;

export const EMPTY: Formula<never> = { kind: "empty" };

export function atom<A>(value: A): Formula<A> {
  return { kind: "atom", atom: value };
}

/** Flattens nested formulas of the same kind and drops Empty parts (for the formula-* modules). */
export function join<A>(kind: "and" | "or", parts: readonly Formula<A>[]): Formula<A> {
  const items: Formula<A>[] = [];
  for (const part of parts) {
    if (part.kind === "empty") continue;
    if (part.kind === kind) items.push(...part.items);
    else items.push(part);
  }
  if (items.length === 0) return EMPTY;
  return items.length === 1 ? items[0]! : { kind, items };
}

export function and<A>(...parts: Formula<A>[]): Formula<A> {
  return join("and", parts);
}

export function or<A>(...parts: Formula<A>[]): Formula<A> {
  return join("or", parts);
}

/** The atoms in textual order. */
export function formulaAtoms<A>(formula: Formula<A>, into: A[] = []): A[] {
  if (formula.kind === "atom") into.push(formula.atom);
  else if (formula.kind !== "empty") for (const item of formula.items) formulaAtoms(item, into);
  return into;
}

/** Rebuilds with `f` on every atom (returning EMPTY drops it; and/or are simplified). */
export function mapFormula<A, B>(formula: Formula<A>, f: (atom: A) => Formula<B>): Formula<B> {
  switch (formula.kind) {
    case "empty":
      return EMPTY;
    case "atom":
      return f(formula.atom);
    default:
      return join(formula.kind, formula.items.map((item) => mapFormula(item, f)));
  }
}

/** Swaps and/or and negates every atom (opam's `neg`). */
export function negateFormula<A>(formula: Formula<A>, negateAtom: (atom: A) => A): Formula<A> {
  switch (formula.kind) {
    case "empty":
      return EMPTY;
    case "atom":
      return atom(negateAtom(formula.atom));
    default:
      return join(formula.kind === "and" ? "or" : "and", formula.items.map((item) => negateFormula(item, negateAtom)));
  }
}

const NEGATED: Record<RelOp, RelOp> = { "=": "!=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">" };

export function negateRelop(op: RelOp): RelOp {
  return NEGATED[op];
}

/** Every package name mentioned anywhere (every branch, whatever its filter), e.g. for the dune check. */
export function formulaNames<A extends { readonly name: string }>(formula: Formula<A>, into: Set<string> = new Set()): Set<string> {
  if (formula.kind === "atom") into.add(formula.atom.name);
  else if (formula.kind !== "empty") for (const item of formula.items) formulaNames(item, into);
  return into;
}

/** Drops the atoms naming one of `names` and simplifies (neutral Empty: `a | dropped` = `a`). */
export function removeNames<A extends { readonly name: string }>(formula: Formula<A>, names: ReadonlySet<string>): Formula<A> {
  return mapFormula(formula, (a) => (names.has(a.name) ? EMPTY : atom(a)));
}
