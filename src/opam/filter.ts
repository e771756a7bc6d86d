// opam filters (opamFilter.ml): the Filter tree built from the AST, three-valued evaluation,
// `%{…}%` string interpolation, and the shared "<file>:<line>:<col>: <field>: …" error helper.
// Evaluation never throws: undefined variables and non-boolean strings give `undefined`.
import { UserError } from "../core/errors.js";
import type { Pos, RelOp, Value } from "./ast.js";
import { NO_POS } from "./ast.js";
import { SELF_SCOPE, type Env, type EnvValue } from "./env.js";
import { compareVersions, relopHolds } from "./version.js";
import { isValidPackageName } from "./names.js";

/** A variable reference: `var`, `pkg:var`, `_:var`, `a+b:var`, or `var?then:else` (interpolation only). */
export interface FilterIdent {
  /** `[]` for a global variable; `"_"` stands for the package itself. */
  readonly scopes: readonly string[];
  readonly variable: string;
  readonly converter?: { readonly ifTrue: string; readonly ifFalse: string };
}

export type Filter =
  | { readonly kind: "bool"; readonly value: boolean }
  /** May contain `%{…}%` interpolations, expanded at evaluation. Ints are stored as strings. */
  | { readonly kind: "string"; readonly value: string }
  | ({ readonly kind: "ident" } & FilterIdent)
  | { readonly kind: "relop"; readonly op: RelOp; readonly left: Filter; readonly right: Filter }
  | { readonly kind: "and" | "or"; readonly left: Filter; readonly right: Filter }
  | { readonly kind: "not" | "defined"; readonly arg: Filter };

export type FilterValue = boolean | string | undefined;

/** Where a value comes from, for error messages. */
export interface FieldContext {
  readonly file: string;
  readonly field: string;
}

/** `UserError("OPAM_FIELD", "<file>:<line>:<col>: <field>: <message>")`. */
export function fieldError(ctx: FieldContext, pos: Pos, message: string): UserError {
  return new UserError("OPAM_FIELD", `${ctx.file}:${pos.line}:${pos.col}: ${ctx.field}: ${message}`);
}

// ---- Idents --------------------------------------------------------------------------------------

function isValidScopeName(name: string): boolean {
  return name === SELF_SCOPE || isValidPackageName(name);
}

function scopesOf(text: string): string[] | undefined {
  const scopes = text.split("+");
  return scopes.every(isValidScopeName) ? scopes : undefined;
}

/** opam's filter_ident_of_string: `[pkgs:]var[?then:else]`; undefined when a package name is invalid. */
export function parseFilterIdent(text: string): FilterIdent | undefined {
  const colon = text.lastIndexOf(":");
  if (colon < 0) return { scopes: [], variable: text };
  const head = text.slice(0, colon);
  const last = text.slice(colon + 1);
  const question = head.lastIndexOf("?");
  if (question < 0) {
    const scopes = scopesOf(head);
    return scopes && { scopes, variable: last };
  }
  const converter = { ifTrue: head.slice(question + 1), ifFalse: last };
  const target = head.slice(0, question);
  const inner = target.lastIndexOf(":");
  if (inner < 0) return { scopes: [], variable: target, converter };
  const scopes = scopesOf(target.slice(0, inner));
  return scopes && { scopes, variable: target.slice(inner + 1), converter };
}

export function formatFilterIdent(ident: FilterIdent): string {
  const prefix = ident.scopes.length === 0 ? "" : `${ident.scopes.join("+")}:`;
  const suffix = ident.converter ? `?${ident.converter.ifTrue}:${ident.converter.ifFalse}` : "";
  return `${prefix}${ident.variable}${suffix}`;
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

// ---- Evaluation ----------------------------------------------------------------------------------

function boolOfValue(value: EnvValue | undefined): boolean | undefined {
  if (typeof value === "boolean") return value;
  const text = typeof value === "string" ? value : value !== undefined && value.length === 1 ? value[0] : undefined;
  return text === "true" ? true : text === "false" ? false : undefined;
}

/** opam's resolve_ident_raw in a full evaluation (undefined converter input → the else branch). */
export function resolveIdent(ident: FilterIdent, env: Env): EnvValue | undefined {
  let { variable, converter } = ident;
  const scopes = ident.scopes;
  if (scopes.length > 0 && variable === "enable" && converter === undefined) {
    variable = "installed";
    converter = { ifTrue: "enable", ifFalse: "disable" };
  }
  let value: EnvValue | undefined;
  if (scopes.length === 0) value = env(variable);
  else if (scopes.length === 1) value = env(variable, scopes[0]);
  else {
    let all: boolean | undefined = true;
    for (const scope of scopes) {
      const b = boolOfValue(env(variable, scope));
      if (b === false) {
        all = false;
        break;
      }
      if (b === undefined) all = undefined;
    }
    value = all;
  }
  if (converter === undefined) return value;
  return boolOfValue(value) === true ? converter.ifTrue : converter.ifFalse;
}

function identValue(ident: FilterIdent, env: Env): FilterValue {
  const value = resolveIdent(ident, env);
  if (value === undefined || typeof value === "boolean" || typeof value === "string") return value;
  return value.join(" ");
}

function asBool(value: FilterValue): boolean | undefined {
  if (typeof value === "boolean") return value;
  return value === "true" ? true : value === "false" ? false : undefined;
}

function logop(absorb: boolean, left: FilterValue, right: FilterValue): FilterValue {
  if (left === absorb || right === absorb) return absorb;
  if (left === undefined || right === undefined) return undefined;
  const l = asBool(left);
  const r = asBool(right);
  if (l === undefined || r === undefined) return undefined;
  return absorb ? l || r : l && r;
}

/** Three-valued evaluation (opamFilter.ml `reduce`): `&` false absorbs, `|` true absorbs, undefined propagates. */
export function evalFilter(filter: Filter, env: Env): FilterValue {
  switch (filter.kind) {
    case "bool":
      return filter.value;
    case "string":
      return expandString(filter.value, env);
    case "ident":
      return identValue(filter, env);
    case "relop": {
      const left = evalFilter(filter.left, env);
      const right = evalFilter(filter.right, env);
      if (left === undefined || right === undefined) return undefined;
      return relopHolds(filter.op, compareVersions(String(left), String(right)));
    }
    case "and":
      return logop(false, evalFilter(filter.left, env), evalFilter(filter.right, env));
    case "or":
      return logop(true, evalFilter(filter.left, env), evalFilter(filter.right, env));
    case "not": {
      const b = asBool(evalFilter(filter.arg, env));
      return b === undefined ? undefined : !b;
    }
    case "defined":
      return evalFilter(filter.arg, env) !== undefined;
  }
}

/** `opt_eval_to_bool`: no filter is true; undefined or a non-boolean result is `otherwise` (false). */
export function filterHolds(filter: Filter | undefined, env: Env, otherwise = false): boolean {
  if (filter === undefined) return true;
  return asBool(evalFilter(filter, env)) ?? otherwise;
}

/**
 * Scans the `%{…}%` starting at `open`: returns the index after `}%`, or, when it is unclosed
 * on its line, minus one minus the index where the literal text ends (the newline or the end).
 */
function interpolationEnd(text: string, open: number): number {
  for (let i = open + 2; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) return -1 - i;
    if (c === 125 && text.charCodeAt(i + 1) === 37) return i + 2;
  }
  return -1 - text.length;
}

/**
 * Expands `%{var}%`, `%{pkg:var}%`, `%{var?a:b}%` and `%%` (opam's expand_string in a full
 * evaluation): undefined variables become `""`, unclosed `%{` stays literal. Returns undefined
 * only when an interpolation names an invalid package.
 */
export function expandString(text: string, env: Env): string | undefined {
  if (text.indexOf("%") < 0) return text;
  let out = "";
  let i = 0;
  while (i < text.length) {
    const pc = text.indexOf("%", i);
    if (pc < 0 || pc + 1 >= text.length) break;
    const next = text.charCodeAt(pc + 1);
    if (next === 37) {
      out += text.slice(i, pc) + "%";
      i = pc + 2;
      continue;
    }
    if (next !== 123) {
      out += text.slice(i, pc + 1);
      i = pc + 1;
      continue;
    }
    const end = interpolationEnd(text, pc);
    if (end < 0) {
      // Unclosed: opam leaves the whole `%{…` up to the end of the line untouched.
      out += text.slice(i, -1 - end);
      i = -1 - end;
      continue;
    }
    const ident = parseFilterIdent(text.slice(pc + 2, end - 2));
    if (!ident) return undefined;
    const value = identValue(ident, env);
    out += text.slice(i, pc) + (value === undefined ? "" : String(value));
    i = end;
  }
  return out + text.slice(i);
}

// ---- Inspection and printing ---------------------------------------------------------------------

/** Every variable a filter reads (idents and interpolations), as `var`, `pkg:var`, `_:var`. */
export function filterVariables(filter: Filter, into: Set<string> = new Set()): Set<string> {
  const addIdent = (ident: FilterIdent) => {
    if (ident.scopes.length === 0) into.add(ident.variable);
    for (const scope of ident.scopes) into.add(`${scope}:${ident.variable}`);
  };
  switch (filter.kind) {
    case "ident":
      addIdent(filter);
      break;
    case "string":
      for (let open = filter.value.indexOf("%{"); open >= 0; open = filter.value.indexOf("%{", open + 2)) {
        // (`%%{x}%` is an escaped `%` followed by text; rare enough to over-report here.)
        const end = interpolationEnd(filter.value, open);
        const ident = end < 0 ? undefined : parseFilterIdent(filter.value.slice(open + 2, end - 2));
        if (ident) addIdent(ident);
      }
      break;
    case "relop":
    case "and":
    case "or":
      filterVariables(filter.left, into);
      filterVariables(filter.right, into);
      break;
    case "not":
    case "defined":
      filterVariables(filter.arg, into);
      break;
  }
  return into;
}

type Context = "or" | "and" | "relop" | "prefix";

/** opam's OpamFilter.to_string: `os = "linux" & !(arch = "arm32")`. */
export function formatFilter(filter: Filter, context: Context = "or"): string {
  const paren = (cond: boolean, s: string) => (cond ? `(${s})` : s);
  switch (filter.kind) {
    case "bool":
      return String(filter.value);
    case "string":
      return JSON.stringify(filter.value);
    case "ident":
      return formatFilterIdent(filter);
    case "relop":
      return paren(context !== "or" && context !== "and", `${formatFilter(filter.left, "relop")} ${filter.op} ${formatFilter(filter.right, "relop")}`);
    case "and":
      return paren(context !== "or" && context !== "and", `${formatFilter(filter.left, "and")} & ${formatFilter(filter.right, "and")}`);
    case "or":
      return paren(context !== "or", `${formatFilter(filter.left)} | ${formatFilter(filter.right)}`);
    case "not":
    case "defined":
      return paren(context === "relop", `${filter.kind === "not" ? "!" : "?"}${formatFilter(filter.arg, "prefix")}`);
  }
}

/** Back to an AST value (positions NO_POS), e.g. to write a filter into a lock file. */
export function filterToValue(filter: Filter): Value {
  const pos = NO_POS;
  switch (filter.kind) {
    case "bool":
      return { kind: "bool", value: filter.value, pos };
    case "string":
      return { kind: "string", value: filter.value, pos };
    case "ident":
      return { kind: "ident", name: formatFilterIdent(filter), pos };
    case "relop": {
      const atom = (f: Filter) => (f.kind === "bool" || f.kind === "string" || f.kind === "ident" ? filterToValue(f) : group(f));
      return { kind: "relop", op: filter.op, left: atom(filter.left), right: atom(filter.right), pos };
    }
    case "and":
    case "or": {
      const op = filter.kind === "and" ? "&" : "|";
      const side = (f: Filter) => (filter.kind === "and" && f.kind === "or" ? group(f) : filterToValue(f));
      return { kind: "logop", op, left: side(filter.left), right: side(filter.right), pos };
    }
    case "not":
    case "defined": {
      const arg = filter.arg.kind === "and" || filter.arg.kind === "or" || filter.arg.kind === "relop" ? group(filter.arg) : filterToValue(filter.arg);
      return { kind: "pfxop", op: filter.kind === "not" ? "!" : "?", arg, pos };
    }
  }
}

function group(filter: Filter): Value {
  return { kind: "group", items: [filterToValue(filter)], pos: NO_POS };
}
