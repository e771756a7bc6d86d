// Filters read and written back: the variables a filter reads, opam's text form, and the AST
// value form used to write a filter into a lock file. Pure.
import type { Value } from "./ast.js";
import { NO_POS } from "./ast.js";
import { interpolationEnd } from "./filter-eval.js";
import { formatFilterIdent, parseFilterIdent, type Filter, type FilterIdent } from "./filter-model.js";

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
