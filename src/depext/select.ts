// Which system packages a lock file asks for on this host: the union of the depexts whose filter
// holds (opam's `eval_to_bool ~default:true`: no filter, or an undecidable one, counts as true). Pure.
import type { LockedDepext } from "../lockfile/model.js";
import type { Value } from "../opam/ast.js";
import type { Env } from "../opam/env.js";
import { filterFromValue, filterHolds } from "../opam/filter.js";

/** Decides one depext filter: true, false, or undefined when it cannot tell (an undefined variable). */
export type DepextFilterEvaluator = (filter: Value) => boolean | undefined;

/** The system package names to consider, sorted and without duplicates. */
export function selectDepexts(depexts: readonly LockedDepext[], evaluate: DepextFilterEvaluator): string[] {
  const selected = new Set<string>();
  for (const depext of depexts) {
    const holds = depext.filter === undefined ? true : (evaluate(depext.filter) ?? true);
    if (holds) for (const name of depext.packages) selected.add(name);
  }
  return [...selected].sort();
}

/**
 * The real evaluator: opam filter semantics against `env` (the host's global variables with
 * OPAMVAR_* overrides, from opam/env.ts `hostGlobalEnv`). `file` names the lock file in errors
 * about a malformed filter.
 */
export function depextFilterEvaluator(env: Env, file: string): DepextFilterEvaluator {
  return (value) => filterHolds(filterFromValue(value, { file, field: "depexts" }), env, true);
}
