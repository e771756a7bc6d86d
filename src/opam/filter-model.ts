// The opam filter tree (opamFilter.ml's filter type) and its variable references: the types,
// and `[pkgs:]var[?then:else]` idents parsed from and formatted back to text. Pure.
import type { RelOp } from "./ast.js";
import { SELF_SCOPE } from "./env.js";
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
