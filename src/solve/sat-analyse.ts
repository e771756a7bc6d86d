// First-UIP conflict analysis for the SAT core (0install `analyse`): from a conflicting clause to
// the learnt clause and the level to jump back to. Reads the solver state; only undoes the trail.
import { InternalError } from "../core/errors.js";
import type { AtMostOneClauses, ClausePool } from "./sat-clauses.js";
import { EXTERNAL, TRUE, isAtMostOne, negate, valueOfLit, type Lit } from "./sat-literals.js";

/** The solver state analysis reads (shared arrays, not copies) and the one change it makes. */
export interface AnalysisState {
  readonly values: readonly number[];
  readonly levels: readonly number[];
  readonly reasons: readonly number[];
  readonly trail: readonly Lit[];
  readonly unions: ClausePool;
  readonly amos: AtMostOneClauses;
  decisionLevel(): number;
  /** Unassigns the last literal of the trail. */
  undoOne(): void;
}

/** Undoes the trail down to the first UIP; returns the learnt clause (UIP first) and its level. */
export function analyseConflict(state: AnalysisState, conflict: number): { learnt: Lit[]; level: number } {
  const { levels, reasons, trail } = state;
  const learnt: Lit[] = [];
  const seen = new Set<number>();
  const currentLevel = state.decisionLevel();
  let backtrackLevel = 0;
  let counter = 0;
  let cause = conflictReason(state, conflict);
  for (;;) {
    for (const lit of cause) {
      const variable = lit >> 1;
      if (seen.has(variable)) continue;
      seen.add(variable);
      const level = levels[variable];
      if (level === currentLevel) counter++;
      else if (level > 0) {
        learnt.push(negate(lit));
        backtrackLevel = Math.max(backtrackLevel, level);
      }
    }
    if (counter <= 0) throw new InternalError("conflict without an assignment at the current level");
    let lit: Lit;
    let reason: number;
    do {
      lit = trail[trail.length - 1];
      reason = reasons[lit >> 1];
      state.undoOne();
    } while (!seen.has(lit >> 1));
    counter--;
    if (counter <= 0) return { learnt: [negate(lit), ...learnt], level: backtrackLevel };
    if (reason === EXTERNAL) throw new InternalError("decision reached during conflict analysis");
    cause = impliedReason(state, reason, lit);
  }
}

/** The true literals whose conjunction made clause `ref` conflict. */
function conflictReason(state: AnalysisState, ref: number): Lit[] {
  if (!isAtMostOne(ref)) return state.unions.toArray(ref >> 1).map(negate);
  return state.amos.lits[ref >> 1].filter((lit) => valueOfLit(state.values, lit) === TRUE).slice(0, 2);
}

/** The true literals that made clause `ref` assert `lit`. */
function impliedReason(state: AnalysisState, ref: number, lit: Lit): Lit[] {
  if (!isAtMostOne(ref)) return state.unions.toArray(ref >> 1).filter((other) => other !== lit).map(negate);
  const current = state.amos.lits[ref >> 1].find((other) => other !== negate(lit) && valueOfLit(state.values, other) === TRUE);
  if (current === undefined) throw new InternalError("at-most-one reason without a true literal");
  return [current];
}
