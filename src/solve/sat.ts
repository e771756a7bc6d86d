// Deterministic CDCL SAT core after 0install's sat.ml (MiniSat design): watched-literal clauses,
// first-class at-most-one clauses, first-UIP learning, backjumping; no restarts, no randomness.
// The caller's decider picks literals; when it has none, the remaining variables are set false.
import { InternalError } from "../core/errors.js";
import { SolverTimeout } from "./model.js";
import { analyseConflict, type AnalysisState } from "./sat-analyse.js";
import { AtMostOneClauses, ClausePool, WatchLists } from "./sat-clauses.js";
import { EXTERNAL, FALSE, TRUE, UNDECIDED, isAtMostOne, negLit, negate, valueOfLit, type Lit } from "./sat-literals.js";

/** The literal encoding is part of this module's interface. */
export { negLit, negate, posLit, varOf, type Lit } from "./sat-literals.js";

export class SatProblem {
  private readonly values: number[] = [];
  private readonly levels: number[] = [];
  private readonly reasons: number[] = [];
  private readonly watches = new WatchLists();
  private readonly unions = new ClausePool();
  private readonly amos = new AtMostOneClauses();
  private readonly trail: Lit[] = [];
  private readonly trailLim: number[] = [];
  private qhead = 0;
  private toplevelConflict = false;
  private setToFalseVar = -1;
  private undecidedCursor = 0;
  private readonly litStamps: number[] = [];
  private stamp = 0;
  /** The view conflict analysis gets: these same arrays and objects, never copies. */
  private readonly analysis: AnalysisState = {
    values: this.values,
    levels: this.levels,
    reasons: this.reasons,
    trail: this.trail,
    unions: this.unions,
    amos: this.amos,
    decisionLevel: () => this.trailLim.length,
    undoOne: () => this.undoOne(),
  };
  decisions = 0;
  conflicts = 0;
  /** Incremented whenever an assignment is undone (lets the decider resume its walk otherwise). */
  undoCount = 0;

  get variableCount(): number {
    return this.values.length;
  }

  addVariable(): number {
    this.values.push(UNDECIDED);
    this.levels.push(-1);
    this.reasons.push(EXTERNAL);
    this.watches.addVariable();
    this.litStamps.push(0, 0);
    return this.values.length - 1;
  }

  litValue(lit: Lit): number {
    return valueOfLit(this.values, lit);
  }

  isTrue(variable: number): boolean {
    return this.values[variable] === TRUE;
  }

  isUndecided(lit: Lit): boolean {
    return this.values[lit >> 1] === UNDECIDED;
  }

  /** Input clause "at least one of lits" (before the solve only); [] makes the problem unsatisfiable. */
  atLeastOne(lits: readonly Lit[]): void {
    this.addInput(-1, lits);
  }

  /** Input clause "lit implies at least one of consequences" (before the solve only). */
  implies(lit: Lit, consequences: readonly Lit[]): void {
    this.addInput(negate(lit), consequences);
  }

  /** Adds `first` (unless -1) OR `rest`, dropping false and duplicate literals (0install `simplify`). */
  private addInput(first: Lit, rest: readonly Lit[]): void {
    const stamp = ++this.stamp;
    const start = this.unions.reserve(rest.length + 1);
    const pool = this.unions.lits;
    let end = start;
    for (let i = first < 0 ? 0 : -1; i < rest.length; i++) {
      const lit = i < 0 ? first : rest[i];
      const value = this.litValue(lit);
      if (value === TRUE || this.litStamps[negate(lit)] === stamp) return; // trivially true
      if (this.litStamps[lit] === stamp || value === FALSE) continue;
      this.litStamps[lit] = stamp;
      pool[end++] = lit;
    }
    if (end === start) this.toplevelConflict = true;
    else if (end === start + 1) this.enqueue(pool[start], EXTERNAL);
    else this.commitUnion(start, end - start);
  }

  /** Input clause "at most one of lits" (no duplicates); returns its index for `selected`. */
  atMostOne(lits: Lit[]): number {
    const kept: Lit[] = [];
    for (let i = 0; i < lits.length; i++) if (this.litValue(lits[i]) !== FALSE) kept.push(lits[i]);
    const index = this.amos.add(kept);
    for (let i = 0; i < kept.length; i++) this.watches.add(kept[i], index * 2 + 1);
    return index;
  }

  /** The true literal of an at-most-one clause, or -1. */
  selected(amo: number): Lit {
    return this.amos.current[amo];
  }

  /**
   * Solves; `decide` returns an undecided literal to try, or -1 when it has nothing to decide.
   * Past `deadline` (a `Date.now()` value; checked every 256 steps) throws SolverTimeout.
   */
  run(decide: () => Lit, deadline = Infinity): boolean {
    if (this.toplevelConflict) return false;
    this.undecidedCursor = this.values.length - 1;
    for (let step = 1; ; step++) {
      if ((step & 255) === 0 && Date.now() > deadline) throw new SolverTimeout();
      const conflict = this.propagate();
      if (conflict < 0) {
        const undecided = this.findUndecided();
        if (undecided < 0) return true;
        this.trailLim.push(this.trail.length);
        this.decisions++;
        this.enqueue(this.chooseLit(undecided, decide), EXTERNAL);
      } else {
        if (this.trailLim.length === 0) return false;
        this.conflicts++;
        const { learnt, level } = analyseConflict(this.analysis, conflict);
        this.cancelUntil(level);
        this.addLearnt(learnt);
      }
    }
  }

  private chooseLit(undecided: number, decide: () => Lit): Lit {
    if (this.setToFalseVar >= 0) return negLit(undecided);
    const lit = decide();
    if (lit < 0) {
      this.setToFalseVar = undecided;
      return negLit(undecided);
    }
    if (!this.isUndecided(lit)) throw new InternalError("decider chose an already decided variable");
    return lit;
  }

  private findUndecided(): number {
    let i = this.undecidedCursor;
    while (i >= 0 && this.values[i] !== UNDECIDED) i--;
    this.undecidedCursor = i;
    return i;
  }

  /** Makes the reserved literals [start, start + length) an OR clause watching its first two. */
  private commitUnion(start: number, length: number): number {
    const ref = this.unions.commit(start, length) * 2;
    this.watches.add(negate(this.unions.lits[start]), ref);
    this.watches.add(negate(this.unions.lits[start + 1]), ref);
    return ref;
  }

  private enqueue(lit: Lit, reason: number): boolean {
    const value = this.litValue(lit);
    if (value === FALSE) return false;
    if (value === TRUE) return true;
    const variable = lit >> 1;
    this.values[variable] = lit & 1 ? FALSE : TRUE;
    this.levels[variable] = this.trailLim.length;
    this.reasons[variable] = reason;
    this.trail.push(lit);
    return true;
  }

  /** Unit propagation; returns the conflicting clause reference or -1. */
  private propagate(): number {
    while (this.qhead < this.trail.length) {
      const lit = this.trail[this.qhead++];
      const watches = this.watches;
      let entry = watches.take(lit);
      while (entry >= 0) {
        const next = watches.next(entry);
        const ref = watches.clauseOf(entry);
        const outcome = isAtMostOne(ref) ? this.propagateAtMostOne(ref, lit) : this.propagateUnion(ref, lit, entry);
        if (outcome !== MOVED) watches.append(lit, entry);
        entry = next;
        if (outcome === CONFLICT) {
          while (entry >= 0) {
            const after = watches.next(entry);
            watches.append(lit, entry); // keep the rest of the list, in order
            entry = after;
          }
          this.qhead = this.trail.length;
          return ref;
        }
      }
    }
    return -1;
  }

  /** `lit` became true, so `negate(lit)`, one of the two watched literals, became false. */
  private propagateUnion(ref: number, lit: Lit, entry: number): number {
    const pool = this.unions.lits;
    const start = this.unions.start[ref >> 1];
    const end = start + this.unions.length[ref >> 1];
    const falseLit = negate(lit);
    if (pool[start] === falseLit) {
      pool[start] = pool[start + 1];
      pool[start + 1] = falseLit;
    }
    const first = pool[start];
    if (this.litValue(first) === TRUE) return KEEP;
    for (let i = start + 2; i < end; i++) {
      const other = pool[i];
      if (this.litValue(other) !== FALSE) {
        pool[start + 1] = other;
        pool[i] = falseLit;
        this.watches.append(negate(other), entry);
        return MOVED;
      }
    }
    return this.enqueue(first, ref) ? KEEP : CONFLICT;
  }

  private propagateAtMostOne(ref: number, lit: Lit): number {
    const index = ref >> 1;
    if (this.amos.current[index] >= 0) return CONFLICT; // another literal is already the selected one
    this.amos.setCurrent(index, lit, this.qhead - 1); // `lit` is the trail entry being propagated
    const lits = this.amos.lits[index];
    for (let i = 0; i < lits.length; i++) {
      const other = lits[i];
      if (other === lit) continue;
      const value = this.litValue(other);
      if (value === TRUE) return CONFLICT;
      if (value === UNDECIDED) this.enqueue(negate(other), ref);
    }
    return KEEP;
  }

  private addLearnt(learnt: Lit[]): void {
    if (learnt.length === 1) {
      if (!this.enqueue(learnt[0], EXTERNAL)) throw new InternalError("learnt fact is already false");
      return;
    }
    let best = 1;
    for (let i = 2; i < learnt.length; i++) {
      if (this.levels[learnt[i] >> 1] > this.levels[learnt[best] >> 1]) best = i;
    }
    [learnt[1], learnt[best]] = [learnt[best], learnt[1]];
    const start = this.unions.reserve(learnt.length);
    this.unions.lits.set(learnt, start);
    const ref = this.commitUnion(start, learnt.length);
    if (!this.enqueue(learnt[0], ref)) throw new InternalError("learnt clause is not asserting");
  }

  private undoOne(): void {
    const lit = this.trail.pop() as Lit;
    const variable = lit >> 1;
    this.values[variable] = UNDECIDED;
    this.levels[variable] = -1;
    this.reasons[variable] = EXTERNAL;
    this.amos.undoFrom(this.trail.length);
    this.undoCount++;
    if (variable === this.setToFalseVar) this.setToFalseVar = -1;
    if (this.qhead > this.trail.length) this.qhead = this.trail.length;
    if (variable > this.undecidedCursor) this.undecidedCursor = variable;
  }

  private cancelUntil(level: number): void {
    while (this.trailLim.length > level) {
      const start = this.trailLim.pop() as number;
      while (this.trail.length > start) this.undoOne();
    }
  }
}

const KEEP = 0;
const MOVED = 1;
const CONFLICT = 2;
