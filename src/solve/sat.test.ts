// Unit tests of the CDCL core on hand-written clause sets: propagation, at-most-one, the
// set-remaining-false phase, learning with backjumping, and unsatisfiability.
import { describe, expect, test } from "vitest";
import { SatProblem, negLit, posLit, type Lit } from "./sat.js";

function variables(sat: SatProblem, count: number): number[] {
  return Array.from({ length: count }, () => sat.addVariable());
}

/** A decider that tries the given literals in order, skipping decided ones. */
function preferring(sat: SatProblem, lits: Lit[]): () => Lit {
  return () => lits.find((lit) => sat.isUndecided(lit)) ?? -1;
}

describe("SAT core", () => {
  test("unit facts and implications propagate; the rest is set false", () => {
    const sat = new SatProblem();
    const [a, b, c, d] = variables(sat, 4);
    sat.atLeastOne([posLit(a)]);
    sat.atLeastOne([negLit(a), posLit(b)]);
    sat.atLeastOne([negLit(c), posLit(d)]);
    expect(sat.run(() => -1)).toBe(true);
    expect([a, b, c, d].map((v) => sat.isTrue(v))).toEqual([true, true, false, false]);
  });

  test("at-most-one keeps one literal and reports it as selected", () => {
    const sat = new SatProblem();
    const [a, b, c] = variables(sat, 3);
    const amo = sat.atMostOne([posLit(a), posLit(b), posLit(c)]);
    sat.atLeastOne([posLit(a), posLit(b), posLit(c)]);
    expect(sat.run(preferring(sat, [posLit(b), posLit(a)]))).toBe(true);
    expect(sat.selected(amo)).toBe(posLit(b));
    expect([a, b, c].map((v) => sat.isTrue(v))).toEqual([false, true, false]);
  });

  test("a conflict deep in the search is learnt and the earlier decision is revised", () => {
    // x1 forces y; y with either z breaks; z1|z2 required: x1 must go, x2 is chosen.
    const sat = new SatProblem();
    const [x1, x2, filler, y, z1, z2] = variables(sat, 6);
    sat.atMostOne([posLit(x1), posLit(x2)]);
    sat.atLeastOne([posLit(x1), posLit(x2)]);
    sat.atLeastOne([negLit(x1), posLit(y)]);
    sat.atLeastOne([posLit(z1), posLit(z2)]);
    sat.atMostOne([posLit(y), posLit(z1)]);
    sat.atMostOne([posLit(y), posLit(z2)]);
    const order = [posLit(x1), posLit(filler), posLit(x2), posLit(z1), posLit(z2)];
    expect(sat.run(preferring(sat, order))).toBe(true);
    expect([x1, x2, filler, y, z1].map((v) => sat.isTrue(v))).toEqual([false, true, true, false, true]);
    expect(sat.conflicts).toBeGreaterThan(0);
  });

  test("pigeonhole: three pigeons, two holes is unsatisfiable", () => {
    const sat = new SatProblem();
    const holes = [0, 1].map(() => [0, 1, 2].map(() => sat.addVariable()));
    for (let pigeon = 0; pigeon < 3; pigeon++) sat.atLeastOne(holes.map((hole) => posLit(hole[pigeon])));
    for (const hole of holes) sat.atMostOne(hole.map(posLit));
    const all = holes.flat().map(posLit);
    expect(sat.run(preferring(sat, all))).toBe(false);
  });

  test("an empty clause makes the problem unsatisfiable before search", () => {
    const sat = new SatProblem();
    const [a] = variables(sat, 1);
    sat.atLeastOne([posLit(a)]);
    sat.atLeastOne([negLit(a)]);
    expect(sat.run(() => -1)).toBe(false);
    expect(sat.decisions).toBe(0);
  });

  test("tautologies and duplicate literals are harmless", () => {
    const sat = new SatProblem();
    const [a, b] = variables(sat, 2);
    sat.atLeastOne([posLit(a), negLit(a)]);
    sat.atLeastOne([posLit(b), posLit(b)]);
    expect(sat.run(() => -1)).toBe(true);
    expect([sat.isTrue(a), sat.isTrue(b)]).toEqual([false, true]);
  });

  test("setting the remaining variables false backtracks when that is impossible", () => {
    // (a or b) with a decided false first by the set-false phase: b must become true.
    const sat = new SatProblem();
    const [a, b, c] = variables(sat, 3);
    sat.atLeastOne([negLit(c), posLit(a), posLit(b)]);
    sat.atLeastOne([posLit(c)]);
    expect(sat.run(() => -1)).toBe(true);
    expect(sat.isTrue(c) && (sat.isTrue(a) || sat.isTrue(b))).toBe(true);
    expect(sat.isTrue(a) && sat.isTrue(b)).toBe(false);
  });
});
