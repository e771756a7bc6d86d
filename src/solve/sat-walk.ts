// Walking a built problem: the 0install decider (depth-first from the request through the
// selected implementations' essential dependencies) and reading the selection graph back.
import { ROOT, type Implementation, type Requirement } from "./model.js";
import { posLit, type Lit } from "./sat-literals.js";
import type { Problem } from "./sat-problem.js";
import { bytewise } from "../core/compare.js";

/** The selected variable of a role, or -1. */
export function selectedVar(problem: Problem, role: number): number {
  const amo = problem.roles[role].amo;
  if (amo < 0) return -1;
  const lit = problem.sat.selected(amo);
  return lit < 0 ? -1 : lit >> 1;
}

/**
 * The decider: walk the current selection depth-first from the request (essential dependencies in
 * list order, each role once); the first role without a selection yields its first undecided
 * candidate. -1 when the walk finds nothing to decide.
 *
 * When nothing was undone since the previous call, the walk up to the role decided last time is
 * unchanged (those roles were selected or had no candidates left, and propagation cannot change
 * either), so the walk resumes there instead of restarting: same answers, linear cost per descent.
 */
export function makeDecider(problem: Problem): () => Lit {
  const walk: Walk = {
    problem,
    stamps: new Int32Array(problem.roles.length),
    stackVar: [],
    stackDep: [],
    epoch: 0,
    resumeRole: -1,
    undoMark: -1,
  };
  return () => decide(walk);
}

interface Walk {
  problem: Problem;
  /** `stamps[role] === epoch`: the role was visited by the current walk. */
  stamps: Int32Array;
  /** Depth-first stack: selected variable and the index of its next dependency. */
  stackVar: number[];
  stackDep: number[];
  epoch: number;
  /** The role decided by the previous call (-1: none), and the undo count at that time. */
  resumeRole: number;
  undoMark: number;
}

function decide(walk: Walk): Lit {
  const { problem, stackVar, stackDep } = walk;
  let found: Lit;
  if (walk.resumeRole >= 0 && problem.sat.undoCount === walk.undoMark) found = enter(walk, walk.resumeRole);
  else {
    walk.epoch++;
    stackVar.length = 0;
    stackDep.length = 0;
    found = visit(walk, problem.rootRole);
  }
  while (found < 0 && stackVar.length > 0) {
    const top = stackVar.length - 1;
    const deps = problem.vars[stackVar[top]].deps;
    let i = stackDep[top];
    while (i < deps.length && !deps[i].essential) i++;
    if (i >= deps.length) {
      stackVar.pop();
      stackDep.pop();
      continue;
    }
    stackDep[top] = i + 1;
    found = visit(walk, deps[i].role);
  }
  walk.resumeRole = found < 0 ? -1 : problem.vars[found >> 1].role;
  walk.undoMark = problem.sat.undoCount;
  return found;
}

function visit(walk: Walk, role: number): Lit {
  if (walk.stamps[role] === walk.epoch) return -1;
  walk.stamps[role] = walk.epoch;
  return enter(walk, role);
}

/** A selected role pushes its implementation on the stack; otherwise its first undecided candidate. */
function enter(walk: Walk, role: number): Lit {
  const { sat, roles } = walk.problem;
  const info = roles[role];
  if (info.amo < 0) return -1;
  const current = sat.selected(info.amo);
  if (current >= 0) {
    walk.stackVar.push(current >> 1);
    walk.stackDep.push(0);
    return -1;
  }
  for (let i = 0; i < info.vars.length; i++) if (sat.isUndecided(posLit(info.vars[i]))) return posLit(info.vars[i]);
  return -1;
}

/** Selected implementation per package name, sorted by name. */
export function readSelection(problem: Problem): Map<string, Implementation> {
  const selection: [string, Implementation][] = [];
  problem.roles.forEach((info, role) => {
    const variable = selectedVar(problem, role);
    const impl = variable < 0 ? undefined : problem.vars[variable].impl;
    if (info.kind === "real" && impl !== undefined) selection.push([info.name, impl]);
  });
  return new Map(selection.sort(([a], [b]) => bytewise(a, b)));
}

/** A role's selected real (non-dummy) variable and who its dependencies are required by. */
export interface SelectedRequirer {
  variable: number;
  /** ROOT for the request; the package name, or for a `|` alternative its owner package. */
  by: string;
  byVersion: string;
}

/** The selected requirer of a role, or undefined when nothing or only the dummy is selected. */
export function selectedRequirer(problem: Problem, role: number): SelectedRequirer | undefined {
  const variable = selectedVar(problem, role);
  if (variable < 0 || problem.vars[variable].dummy) return undefined;
  const info = problem.roles[role];
  const impl = problem.vars[variable].impl;
  const by = info.kind === "root" ? ROOT : impl?.name ?? info.owner;
  const byVersion = info.kind === "root" ? "" : impl?.version ?? info.ownerVersion;
  return { variable, by, byVersion };
}

/** Who requires each selected package (virtual `|` roles are attributed to their owner package). */
export function readRequiredBy(problem: Problem, includeDummies: boolean): Map<string, Requirement[]> {
  const requiredBy = new Map<string, Requirement[]>();
  problem.roles.forEach((_info, role) => {
    const requirer = selectedRequirer(problem, role);
    if (requirer === undefined) return;
    const { variable, by, byVersion } = requirer;
    for (const dep of problem.vars[variable].deps) {
      if (!dep.essential || problem.roles[dep.role].kind !== "real") continue;
      const target = selectedVar(problem, dep.role);
      if (target < 0 || (problem.vars[target].dummy && !includeDummies)) continue;
      const list = requiredBy.get(dep.name) ?? [];
      list.push({ by, byVersion, constraint: dep.constraint });
      requiredBy.set(dep.name, list);
    }
  });
  return new Map([...requiredBy].sort(([a], [b]) => bytewise(a, b)));
}

/** Up to `limit` shortest chains of package names from a requested package down to `target`. */
export function shortestChains(requiredBy: Map<string, Requirement[]>, target: string, limit = 5): string[][] {
  const distance = distancesFromRoot(requiredBy);
  if (!distance.has(target)) return [];
  const chains: string[][] = [];
  const path: string[] = [];
  const walkBack = (name: string): void => {
    if (name === ROOT) {
      chains.push([...path].reverse());
      return;
    }
    path.push(name);
    const wanted = (distance.get(name) as number) - 1;
    const parents = [...new Set((requiredBy.get(name) ?? []).map((r) => r.by))]
      .filter((parent) => distance.get(parent) === wanted)
      .sort(bytewise);
    for (const parent of parents) if (chains.length < limit) walkBack(parent);
    path.pop();
  };
  walkBack(target);
  return chains;
}

function distancesFromRoot(requiredBy: Map<string, Requirement[]>): Map<string, number> {
  const children = new Map<string, string[]>();
  for (const [name, requirements] of requiredBy) {
    for (const { by } of requirements) {
      const list = children.get(by) ?? [];
      list.push(name);
      children.set(by, list);
    }
  }
  const distance = new Map<string, number>([[ROOT, 0]]);
  const queue = [ROOT];
  for (let i = 0; i < queue.length; i++) {
    for (const child of children.get(queue[i]) ?? []) {
      if (distance.has(child)) continue;
      distance.set(child, (distance.get(queue[i]) as number) + 1);
      queue.push(child);
    }
  }
  return distance;
}
