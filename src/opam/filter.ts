// opam filters (opamFilter.ml): the Filter tree built from the AST and the shared
// "<file>:<line>:<col>: <field>: …" error helper; re-exports the model (filter-model.ts),
// evaluation (filter-eval.ts) and printing (filter-format.ts) so importers use this module only.
import { UserError } from "../core/errors.js";
import type { Pos, Value } from "./ast.js";
import { NO_POS } from "./ast.js";
import { parseFilterIdent, type Filter } from "./filter-model.js";

export { formatFilterIdent, parseFilterIdent, type Filter, type FilterIdent, type FilterValue } from "./filter-model.js";
export { evalFilter, expandString, filterHolds, resolveIdent } from "./filter-eval.js";
export { filterToValue, filterVariables, formatFilter } from "./filter-format.js";

/** Where a value comes from, for error messages. */
export interface FieldContext {
  readonly file: string;
  readonly field: string;
}

/** `UserError("OPAM_FIELD", "<file>:<line>:<col>: <field>: <message>")`. */
export function fieldError(ctx: FieldContext, pos: Pos, message: string): UserError {
  return new UserError("OPAM_FIELD", `${ctx.file}:${pos.line}:${pos.col}: ${ctx.field}: ${message}`);
}

// ---- From the AST --------------------------------------------------------------------------------

function filterNode(value: Value, ctx: FieldContext): Filter {
  switch (value.kind) {
    case "bool":
      return { kind: "bool", value: value.value };
    case "string":
      return { kind: "string", value: value.value };
    case "int":
      return { kind: "string", value: String(value.value) };
    case "ident": {
      const ident = parseFilterIdent(value.name);
      if (!ident) throw fieldError(ctx, value.pos, `invalid variable name "${value.name}"`);
      return { kind: "ident", ...ident };
    }
    case "group":
      if (value.items.length !== 1) throw fieldError(ctx, value.pos, "expected a single filter expression in ( … )");
      return filterNode(value.items[0]!, ctx);
    case "relop":
      return { kind: "relop", op: value.op, left: filterNode(value.left, ctx), right: filterNode(value.right, ctx) };
    case "logop":
      return { kind: value.op === "&" ? "and" : "or", left: filterNode(value.left, ctx), right: filterNode(value.right, ctx) };
    case "pfxop":
      return { kind: value.op === "!" ? "not" : "defined", arg: filterNode(value.arg, ctx) };
    default:
      throw fieldError(ctx, value.pos, `expected a filter expression, found ${describeValue(value)}`);
  }
}

/** A short description of an AST node for "expected …, found …" messages. */
export function describeValue(value: Value): string {
  switch (value.kind) {
    case "list":
      return "a list [ … ]";
    case "group":
      return "a group ( … )";
    case "option":
      return "an option { … }";
    case "prefixRelop":
      return `a version constraint "${value.op} …"`;
    case "envBinding":
      return `an environment update "${value.op}"`;
    case "string":
      return `the string "${value.value}"`;
    case "ident":
      return `the identifier ${value.name}`;
    default:
      return `a ${value.kind}`;
  }
}

/** One filter expression (e.g. a constraint element or `available`'s single item). */
export function filterFromValue(value: Value, ctx: FieldContext): Filter {
  return filterNode(value, ctx);
}

/** opam's `filter` pp on an element list: `[]` = true, one element, or an error. */
export function filterFromValues(values: readonly Value[], ctx: FieldContext, pos: Pos = NO_POS): Filter {
  if (values.length === 0) return { kind: "bool", value: true };
  if (values.length > 1) throw fieldError(ctx, values[1]?.pos ?? pos, "expected a single filter expression");
  return filterNode(values[0]!, ctx);
}
