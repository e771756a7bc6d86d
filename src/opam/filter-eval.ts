// Three-valued filter evaluation (opamFilter.ml `reduce`) and `%{…}%` string interpolation
// against an Env. Never throws: undefined variables and non-boolean strings give `undefined`.
import type { Env, EnvValue } from "./env.js";
import { parseFilterIdent, type Filter, type FilterIdent, type FilterValue } from "./filter-model.js";
import { compareVersions, relopHolds } from "./version.js";

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
export function interpolationEnd(text: string, open: number): number {
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
