// What the problem builder (sat-problem.ts) may leave unexpanded without moving the selection: the
// implementations no essential dependency accepts, and those with a dependency nothing passes.
import type { Candidate, Need } from "./model.js";

/*
 * Why the selection cannot move. The decider walks from the request along the selected
 * implementations' essential dependencies and, at each role without a selection, takes its first
 * candidate not yet ruled out; what it ends with is the best solution in that order (a better
 * candidate is only ruled out when no solution extending the decisions so far contains it: learnt
 * clauses are consequences of the problem). Each implementation it selects passes the dependency
 * it was walked to by, so the walk only ever goes through implementations some dependency
 * accepts; a hopeless one is false in every solution. A role reached only through the others is
 * never walked to, and its clauses can force nothing the walk meets: their users are false, and
 * its variables are only ever set false. Forbidding those implementations and leaving what they
 * depend on out keeps the solutions over the walked roles, so the same one is found. With dummies
 * (explaining a failure) the builder expands everything, as before.
 */

export type PackageNeed = Need & { kind: "package" };

/** What the builder knows of a package need: how many variables of its role pass it (undefined: the name is not reached yet), and the candidates of any name. */
export interface NeedView {
  passing(need: PackageNeed): number | undefined;
  candidates(name: string): readonly Candidate[];
}

/**
 * Whether a package need of `needs` (outside `|` groups) has no candidate that passes: the
 * implementation can never be selected. Names already reached are checked first, so that a
 * hopeless implementation reads as few new names as it can.
 */
export function hopeless(needs: Need, view: NeedView): boolean {
  const fresh: PackageNeed[] = [];
  return hopelessAmong(needs, view, fresh) || fresh.some((need) => !view.candidates(need.name).some((candidate) => accepted(candidate, need)));
}

function hopelessAmong(need: Need, view: NeedView, fresh: PackageNeed[]): boolean {
  if (need.kind === "any") return false;
  if (need.kind === "all") {
    for (let i = 0; i < need.needs.length; i++) if (hopelessAmong(need.needs[i], view, fresh)) return true;
    return false;
  }
  const passing = view.passing(need);
  if (passing === undefined) fresh.push(need);
  return passing === 0;
}

/** Whether a usable candidate is one `need` accepts. */
function accepted(candidate: Candidate, need: PackageNeed): boolean {
  return candidate.ok && (need.accepts === undefined || need.accepts(candidate.impl.version));
}
