// Cross-checks solve() on a few hundred seeded random problems against a brute-force enumerator:
// same satisfiability, selections valid per the independent checker, and equal to a slow oracle of
// the 0install preference rule (depth-first walk, first candidate that still admits a solution).
import { describe, expect, test } from "vitest";
import { checkSelection } from "../../test/helpers/check-selection.js";
import { memoryContext, type DepSpec, type MemoryInput } from "../../test/helpers/memory-context.js";
import { explainFailure } from "./explain.js";
import type { Implementation, Need, SolverInput } from "./model.js";
import { solve } from "./solver.js";

type Random = () => number;

function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: T[]): T => items[Math.floor(random() * items.length)];

interface Shape {
  packages: [number, number];
  maxVersions: number;
  maxDeps: number;
  /** Probability that an atom has no version constraint. */
  unconstrained: number;
}

const SMALL: Shape = { packages: [3, 5], maxVersions: 3, maxDeps: 2, unconstrained: 0.45 };
const DENSE: Shape = { packages: [6, 6], maxVersions: 3, maxDeps: 3, unconstrained: 0.2 };
const DEEP: Shape = { packages: [7, 7], maxVersions: 4, maxDeps: 3, unconstrained: 0.15 };

function randomConstraint(random: Random, shape: Shape): string {
  if (random() < shape.unconstrained) return "";
  return `${pick(random, [">=", "<", "=", "!=", "<="])} ${pick(random, ["1", "2", "3"])}`;
}

function randomAtom(random: Random, names: string[], shape: Shape): string {
  return `${pick(random, names)} ${randomConstraint(random, shape)}`.trim();
}

function randomDeps(random: Random, names: string[], shape: Shape): DepSpec[] {
  const count = Math.floor(random() * (shape.maxDeps + 1));
  return Array.from({ length: count }, (): DepSpec => {
    if (random() < 0.2) return { any: [randomAtom(random, names, shape), randomAtom(random, names, shape)] };
    return randomAtom(random, names, shape);
  });
}

export function randomProblem(seed: number, shape: Shape = SMALL): MemoryInput {
  const random = mulberry32(seed);
  const [least, most] = shape.packages;
  const names = Array.from({ length: least + Math.floor(random() * (most - least + 1)) }, (_, i) => `p${i}`);
  const context = memoryContext();
  for (const name of names) {
    const versions = 1 + Math.floor(random() * shape.maxVersions);
    for (let v = 1; v <= versions; v++) {
      const version = String(v);
      if (random() < 0.1) {
        context.reject(name, version, { kind: "unavailable" });
        continue;
      }
      const conflicts = random() < 0.2 ? [randomAtom(random, names, shape)] : [];
      const classes = random() < 0.15 ? ["c"] : [];
      context.add(name, version, { depends: randomDeps(random, names, shape), conflicts, classes });
    }
  }
  const rootCount = 1 + Math.floor(random() * 2);
  const roots = [...new Set(Array.from({ length: rootCount }, () => pick(random, names)))];
  return context.input(roots.map((root) => (random() < 0.2 ? randomAtom(random, [root], shape) : root)));
}

/**
 * Backtracking-heavy problems: `r*` roots need shared `s*` packages through version ranges and the
 * shared packages conflict with each other, so dead ends show up only several decisions later.
 */
export function layeredProblem(seed: number): MemoryInput {
  const random = mulberry32(seed);
  const context = memoryContext();
  const shared = ["s0", "s1", "s2"];
  const range = (): string => `${pick(random, [">=", "<=", "!="])} ${pick(random, ["1", "2", "3"])}`;
  for (const name of shared) {
    for (const version of ["1", "2", "3"]) {
      const others = shared.filter((other) => other !== name);
      context.add(name, version, { conflicts: random() < 0.5 ? [`${pick(random, others)} ${range()}`] : [] });
    }
  }
  const roots = ["r0", "r1", "r2", "r3", "r4"];
  for (const name of roots) {
    for (const version of ["1", "2", "3"]) {
      const depends = Array.from({ length: 1 + Math.floor(random() * 2) }, () => `${pick(random, shared)} ${range()}`);
      context.add(name, version, { depends });
    }
  }
  return context.input(roots);
}

/** A partial assignment: implementation, null (not selected), or absent (not assigned yet). */
type Partial = Map<string, Implementation | null>;
/** Decisions of the oracle: "R:name" -> candidate index, "V:owner:path" -> alternative index. */
type Decisions = Map<string, number>;

const usable = (input: SolverInput, name: string): Implementation[] =>
  input.candidates(name).flatMap((c) => (c.ok ? [c.impl] : []));

/** Three-valued need evaluation (undefined = depends on unassigned packages). */
function triNeed(need: Need, partial: Partial, decisions: Decisions, owner: string, path: string): boolean | undefined {
  if (need.kind === "package") {
    const impl = partial.get(need.name);
    if (impl === undefined) return undefined;
    return impl !== null && (need.accepts === undefined || need.accepts(impl.version));
  }
  const choice = need.kind === "any" ? decisions.get(`V:${owner}:${path}`) : undefined;
  if (choice !== undefined) return triNeed(need.needs[choice], partial, decisions, owner, `${path}/${choice}`);
  const values = need.needs.map((inner, i) => triNeed(inner, partial, decisions, owner, `${path}${need.kind === "all" ? "." : "/"}${i}`));
  if (need.kind === "all") return values.includes(false) ? false : values.includes(undefined) ? undefined : true;
  return values.includes(true) ? true : values.includes(undefined) ? undefined : false;
}

function consistent(input: SolverInput, partial: Partial, decisions: Decisions): boolean {
  for (const root of input.roots) {
    const impl = partial.get(root.name);
    if (impl === null || (impl && root.accepts && !root.accepts(impl.version))) return false;
  }
  const classes = new Set<string>();
  for (const impl of partial.values()) {
    if (impl === null) continue;
    if (triNeed(impl.needs, partial, decisions, `${impl.name}.${impl.version}`, "") === false) return false;
    for (const conflict of impl.conflicts) {
      const other = partial.get(conflict.name);
      if (other && conflict.rejects(other.version)) return false;
    }
    for (const conflictClass of impl.conflictClasses) {
      if (classes.has(conflictClass)) return false;
      classes.add(conflictClass);
    }
  }
  return true;
}

/** Backtracking search over every package (independent of the CDCL solver): is there a solution? */
function satisfiable(input: SolverInput, names: string[], decisions: Decisions): boolean {
  const partial: Partial = new Map();
  const search = (index: number): boolean => {
    if (index === names.length) return true;
    const fixed = decisions.get(`R:${names[index]}`);
    const all = usable(input, names[index]);
    const options = fixed === undefined ? [null, ...all] : [all[fixed]];
    for (const option of options) {
      partial.set(names[index], option);
      if (consistent(input, partial, decisions) && search(index + 1)) return true;
    }
    partial.delete(names[index]);
    return false;
  };
  return search(0);
}

/**
 * The 0install rule, slowly: each step walks the decided graph depth-first from the roots and
 * decides the first undecided role's first choice that still admits a solution.
 */
function oracle(input: SolverInput, names: string[]): Map<string, Implementation> {
  const decisions: Decisions = new Map();
  const feasibleWith = (key: string, choice: number): boolean => {
    decisions.set(key, choice);
    const ok = satisfiable(input, names, decisions);
    decisions.delete(key);
    return ok;
  };
  for (;;) {
    const next = nextDecision(input, decisions, feasibleWith);
    if (next === undefined) break;
    decisions.set(next[0], next[1]);
  }
  const selection: [string, Implementation][] = [];
  for (const [key, choice] of decisions) {
    if (key.startsWith("R:")) selection.push([key.slice(2), usable(input, key.slice(2))[choice]]);
  }
  return new Map(selection.sort(([a], [b]) => (a < b ? -1 : 1)));
}

function nextDecision(
  input: SolverInput,
  decisions: Decisions,
  feasibleWith: (key: string, choice: number) => boolean,
): [string, number] | undefined {
  const seen = new Set<string>();
  const firstFeasible = (key: string, count: number): [string, number] | undefined => {
    for (let i = 0; i < count; i++) if (feasibleWith(key, i)) return [key, i];
    return undefined;
  };
  const visitReal = (name: string): [string, number] | undefined => {
    const key = `R:${name}`;
    if (seen.has(key)) return undefined;
    seen.add(key);
    const choice = decisions.get(key);
    if (choice === undefined) return firstFeasible(key, usable(input, name).length);
    const impl = usable(input, name)[choice];
    return walk(impl.needs, `${impl.name}.${impl.version}`, "");
  };
  const walk = (need: Need, owner: string, path: string): [string, number] | undefined => {
    if (need.kind === "package") return visitReal(need.name);
    if (need.kind === "all") {
      for (const [i, inner] of need.needs.entries()) {
        const found = walk(inner, owner, `${path}.${i}`);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    const key = `V:${owner}:${path}`;
    if (seen.has(key)) return undefined;
    seen.add(key);
    const choice = decisions.get(key);
    if (choice === undefined) return firstFeasible(key, need.needs.length);
    return walk(need.needs[choice], owner, `${path}/${choice}`);
  };
  for (const root of input.roots) {
    const found = visitReal(root.name);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Solves one problem and checks it against the search and the oracle; returns solver conflicts. */
function crossCheck(input: MemoryInput, seed: number, names: string[]): { ok: boolean; conflicts: number } {
  const result = solve(input);
  expect({ seed, ok: result.ok }).toEqual({ seed, ok: satisfiable(input, names, new Map()) });
  if (result.ok) {
    expect({ seed, problems: checkSelection(input, result.selection) }).toEqual({ seed, problems: [] });
    const expected = [...oracle(input, names)].map(([n, i]) => `${n}.${i.version}`);
    const actual = [...result.selection].map(([n, i]) => `${n}.${i.version}`);
    expect({ seed, selection: actual }).toEqual({ seed, selection: expected });
  } else {
    const { diagnostics } = result;
    expect(diagnostics.problems.length, `seed ${seed}`).toBeGreaterThan(0);
    for (const problem of diagnostics.problems.filter((p) => !p.virtual)) {
      expect(problem.rejected.length, `seed ${seed} ${problem.name}`).toBe(problem.knownVersions);
    }
    expect(explainFailure(diagnostics).problems.length).toBe(diagnostics.problems.length);
  }
  return { ok: result.ok, conflicts: result.stats.conflicts };
}

describe("random problems against a brute-force search", () => {
  const shapes: [string, Shape, number][] = [
    ["small", SMALL, 300],
    ["dense", DENSE, 200],
    ["deep", DEEP, 150],
  ];
  test.each(shapes)("%s problems: satisfiability, validity and 0install preference agree", (_name, shape, count) => {
    let solved = 0;
    let conflicts = 0;
    const names = Array.from({ length: shape.packages[1] }, (_, i) => `p${i}`);
    for (let seed = 1; seed <= count; seed++) {
      const outcome = crossCheck(randomProblem(seed, shape), seed, names);
      if (outcome.ok) solved++;
      conflicts += outcome.conflicts;
    }
    expect(solved).toBeGreaterThan(count / 5);
    expect(solved).toBeLessThan(count);
    if (shape !== SMALL) expect(conflicts).toBeGreaterThan(10); // CDCL learning and backjumping are exercised
  });

  test("backtracking-heavy problems: learning keeps the 0install preference", () => {
    const names = ["r0", "r1", "r2", "r3", "r4", "s0", "s1", "s2"];
    let conflicts = 0;
    let learning = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const outcome = crossCheck(layeredProblem(seed), seed, names);
      conflicts += outcome.conflicts;
      if (outcome.conflicts > 2) learning++;
    }
    expect(conflicts).toBeGreaterThan(100);
    expect(learning).toBeGreaterThan(10);
  });
});
