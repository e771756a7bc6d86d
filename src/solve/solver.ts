// The pure, synchronous solver: 0install semantics (newest version of the first root first, then
// depth-first along its dependencies) over a SolverInput. Never reads files or prints; a failure is
// returned as Diagnostics (a closest-match re-solve), never thrown.
import type { Candidate, SolveResult, SolveStats, SolveSuccess, SolverInput } from "./model.js";
import { diagnose } from "./sat-diagnostics.js";
import { buildProblem, type Problem } from "./sat-problem.js";
import { makeDecider, readRequiredBy, readSelection, shortestChains } from "./sat-walk.js";

export function solve(input: SolverInput): SolveResult {
  const memoised = memoiseCandidates(input);
  const problem = buildProblem(memoised, { dummy: false });
  const ok = problem.sat.run(makeDecider(problem), input.deadline);
  const stats = statsOf(problem);
  if (!ok) return { ok: false, diagnostics: diagnose(memoised), stats };
  return { ok: true, selection: readSelection(problem), requiredBy: readRequiredBy(problem, false), stats };
}

/**
 * Why a package is in the solution: up to `limit` shortest chains of package names, each from a
 * requested package down to `name` (inclusive); [] when `name` is not selected.
 */
export function whyChains(result: SolveSuccess, name: string, limit = 5): string[][] {
  if (!result.selection.has(name)) return [];
  return shortestChains(result.requiredBy, name, limit);
}

function memoiseCandidates(input: SolverInput): SolverInput {
  const cache = new Map<string, readonly Candidate[]>();
  return {
    roots: input.roots,
    compareVersions: input.compareVersions,
    deadline: input.deadline,
    candidates(name) {
      let candidates = cache.get(name);
      if (candidates === undefined) {
        candidates = input.candidates(name);
        cache.set(name, candidates);
      }
      return candidates;
    },
  };
}

function statsOf(problem: Problem): SolveStats {
  return {
    packages: problem.roles.filter((role) => role.kind === "real").length,
    groups: problem.roles.filter((role) => role.kind === "virtual").length,
    implementations: problem.vars.filter((info) => info.impl !== undefined).length,
    literals: problem.literals,
    decisions: problem.sat.decisions,
    conflicts: problem.sat.conflicts,
  };
}
