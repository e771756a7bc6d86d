// Package formulas from the AST (opamFormat.ml): depends/depopts/conflicts, `{ … }` constraints
// and conflict-class. Errors name the field and position; the result is still unevaluated.
import type { Value } from "./ast.js";
import { describeValue, fieldError, filterFromValue, type FieldContext, type Filter } from "./filter.js";
import { atom, EMPTY, formulaAtoms, join, negateFormula, negateRelop, type ConstraintItem, type FilteredAtom, type FilteredPackageFormula, type Formula } from "./formula-core.js";
import { isValidVersion } from "./version.js";
import { isValidPackageName } from "./names.js";

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
