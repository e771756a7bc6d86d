// Package formulas (opamFormula.ml, opamFormat.ml): parsing depends/depopts/conflicts from the
// AST, opam's filter_deps partial evaluation into pure version formulas, and formula helpers.
// Empty is neutral when building (and(Empty, x) = x, or(Empty, x) = x); blocks are collapsed.
import type { Pos, RelOp, Value } from "./ast.js";
import type { Env } from "./env.js";
import { describeValue, evalFilter, fieldError, filterFromValue, filterHolds, type FieldContext, type Filter } from "./filter.js";
import { compareVersions, isValidVersion, relopHolds } from "./version.js";
import { isValidPackageName } from "./names.js";

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

function join<A>(kind: "and" | "or", parts: readonly Formula<A>[]): Formula<A> {
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

// ---- Parsing -------------------------------------------------------------------------------------

export { isValidPackageName };

function versionExpression(value: Value, ctx: FieldContext): Filter {
  if (value.kind === "ident") return filterFromValue(value, ctx);
  if (value.kind !== "string") throw fieldError(ctx, value.pos, `expected a version string or variable after the operator, found ${describeValue(value)}`);
  // opam checks the string with every interpolation replaced by "-".
  const probe = value.value.replace(/%\{[^}\n]*\}%/g, "-").replace(/%%/g, "%");
  if (!isValidVersion(probe)) throw fieldError(ctx, value.pos, `invalid version string "${value.value}"`);
  return { kind: "string", value: value.value };
}

function negateItem(item: ConstraintItem): ConstraintItem {
  return item.kind === "constraint" ? { ...item, op: negateRelop(item.op) } : { kind: "filter", filter: { kind: "not", arg: item.filter } };
}

function constraintNode(value: Value, ctx: FieldContext): Formula<ConstraintItem> {
  switch (value.kind) {
    case "prefixRelop":
      return atom({ kind: "constraint", op: value.op, version: versionExpression(value.arg, ctx) });
    case "logop":
      return join(value.op === "&" ? "and" : "or", [constraintNode(value.left, ctx), constraintNode(value.right, ctx)]);
    case "group":
      return parseConstraint(value.items, ctx);
    case "pfxop":
      if (value.op === "!") return negateFormula(parseConstraint([value.arg], ctx), negateItem);
      return atom({ kind: "filter", filter: filterFromValue(value, ctx) });
    default:
      return atom({ kind: "filter", filter: filterFromValue(value, ctx) });
  }
}

/** The elements of a `{ … }` option: ANDed constraints and filters. */
export function parseConstraint(values: readonly Value[], ctx: FieldContext): Formula<ConstraintItem> {
  return join(
    "and",
    values.map((v) => constraintNode(v, ctx)),
  );
}

function packageAtom(value: Value, ctx: FieldContext): FilteredAtom {
  const nameValue = value.kind === "option" ? value.value : value;
  if (nameValue.kind !== "string") throw fieldError(ctx, nameValue.pos, `expected a package name string, found ${describeValue(nameValue)}`);
  if (!isValidPackageName(nameValue.value)) throw fieldError(ctx, nameValue.pos, `invalid package name "${nameValue.value}"`);
  const constraint = value.kind === "option" ? parseConstraint(value.options, ctx) : EMPTY;
  return { name: nameValue.value, constraint, pos: nameValue.pos };
}

function packageNode(value: Value, listJoin: "and" | "or", ctx: FieldContext): FilteredPackageFormula {
  switch (value.kind) {
    case "string":
    case "option":
      return atom(packageAtom(value, ctx));
    case "group":
      return join(
        listJoin,
        value.items.map((v) => packageNode(v, listJoin, ctx)),
      );
    case "logop":
      return join(value.op === "&" ? "and" : "or", [packageNode(value.left, listJoin, ctx), packageNode(value.right, listJoin, ctx)]);
    default:
      throw fieldError(ctx, value.pos, `expected "package" {constraints}, a group or & / |, found ${describeValue(value)}`);
  }
}

/**
 * A package formula field. The top-level list and `( … )` groups use `listJoin` (AND for
 * depends, OR for depopts/conflicts); a bare single element is a one-element list.
 */
export function parsePackageFormula(value: Value, listJoin: "and" | "or", ctx: FieldContext): FilteredPackageFormula {
  const items = value.kind === "list" ? value.items : [value];
  return join(
    listJoin,
    items.map((v) => packageNode(v, listJoin, ctx)),
  );
}

/** `depends:` (a conjunction). */
export function parseDepends(value: Value, ctx: FieldContext): FilteredPackageFormula {
  return parsePackageFormula(value, "and", ctx);
}

/**
 * `depopts:` / `conflicts:` are disjunctions; opam rewrites any `&` between packages to `|`
 * (with a warning), so the result is always a flat OR of atoms, in textual order.
 */
export function parseDisjunction(value: Value, ctx: FieldContext): FilteredPackageFormula {
  return join("or", formulaAtoms(parsePackageFormula(value, "or", ctx)).map(atom));
}

/** `conflict-class:` — a list of package-name-like strings (a bare string is a one-element list). */
export function parseConflictClass(value: Value, ctx: FieldContext): string[] {
  const items = value.kind === "list" ? value.items : [value];
  return items.map((item) => {
    if (item.kind !== "string") throw fieldError(ctx, item.pos, `expected a conflict class name string, found ${describeValue(item)}`);
    if (!isValidPackageName(item.value)) throw fieldError(ctx, item.pos, `invalid conflict class name "${item.value}"`);
    return item.value;
  });
}

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
