// Failure diagnostics (0install diagnostics.ml): re-solve with a last-resort dummy candidate per
// role so the solve always succeeds, then explain, for each role that got the dummy, why every
// version was unusable given the other selections. Returns data; never formats text for users.
import { InternalError } from "../core/errors.js";
import { describeNeed, type Diagnostics, type RejectReason, type RejectedVersion, type Restriction, type RoleProblem, type SolverInput } from "./model.js";
import { posLit, type Lit } from "./sat-literals.js";
import { buildProblem, type Dep, type Problem } from "./sat-problem.js";
import { makeDecider, readRequiredBy, selectedRequirer, selectedVar, shortestChains } from "./sat-walk.js";
import { bytewise } from "../core/compare.js";

interface Component {
  role: number;
  selected: number;
  /** Variables not yet explained away, in preference order. */
  good: number[];
  bad: { version: string; position: number; reason: RejectReason }[];
  restrictions: { restriction: Restriction; test: (version: string) => boolean }[];
}

export function diagnose(input: SolverInput): Diagnostics {
  const problem = buildProblem(input, { dummy: true });
  if (!problem.sat.run(closestMatchDecider(problem), input.deadline)) throw new InternalError("the closest-match solve cannot fail");
  const report = createComponents(problem);
  applyRestrictions(problem, report);
  const failing = [...report.values()].filter((component) => problem.vars[component.selected].dummy);
  const classes = selectedClasses(problem);
  for (const component of failing) explainDummy(problem, component, classes);
  const requiredBy = readRequiredBy(problem, true);
  const problems = failing.map((component) => toRoleProblem(problem, component, input, requiredBy));
  problems.sort((a, b) => Number(a.virtual) - Number(b.virtual) || bytewise(a.name, b.name));
  const selected = [...report.values()]
    .map((component) => problem.vars[component.selected].impl)
    .filter((impl) => impl !== undefined)
    .map(({ name, version }) => ({ name, version }))
    .sort((a, b) => bytewise(a.name, b.name));
  return {
    selected,
    problems,
    notBuildableWithDune: problems.filter(isNotDune).map((p) => p.name),
    noEligibleVersion: failing
      .flatMap((component) => noEligibleVersion(problem, component))
      .sort((a, b) => bytewise(a.name, b.name)),
  };
}

/**
 * The 0install decider, except that for a `|` group it takes the first alternative that real
 * candidates can still meet. Dummies meet every restriction, so the plain decider would take the
 * first alternative through a dummy (ocaml-base-compiler's Windows-only `system-mingw`, or
 * base-effects' `ocaml-variants` when ocaml-base-compiler is chosen) and report it as a problem.
 */
function closestMatchDecider(problem: Problem): () => Lit {
  const decide = makeDecider(problem);
  const { sat, roles, vars } = problem;
  const possible = (variable: number) => sat.litValue(posLit(variable)) >= 0;
  const meetable = (variable: number, seen: Set<number>): boolean =>
    vars[variable].deps.every((dep) => {
      if (!dep.essential || dep.role < 0) return true;
      const info = roles[dep.role];
      if (info.kind !== "virtual") return info.vars.some((v) => vars[v].impl !== undefined && possible(v) && (dep.test === undefined || dep.test(vars[v].impl!.version)));
      if (seen.has(dep.role)) return true;
      seen.add(dep.role);
      return info.vars.some((v) => !vars[v].dummy && possible(v) && meetable(v, seen));
    });
  return () => {
    const lit = decide();
    const info = lit < 0 ? undefined : roles[vars[lit >> 1].role];
    if (info?.kind !== "virtual") return lit;
    const better = info.vars.find((v) => !vars[v].dummy && sat.isUndecided(posLit(v)) && meetable(v, new Set()));
    return better === undefined ? lit : posLit(better);
  };
}

function createComponents(problem: Problem): Map<number, Component> {
  const report = new Map<number, Component>();
  problem.roles.forEach((info, role) => {
    const selected = selectedVar(problem, role);
    if (info.kind === "root" || selected < 0) return;
    const good = info.vars.filter((variable) => !problem.vars[variable].dummy);
    const bad: Component["bad"] = [];
    info.candidates.forEach((candidate, position) => {
      if (!candidate.ok) bad.push({ version: candidate.version, position, reason: { kind: "model", rejection: candidate.rejection } });
    });
    report.set(role, { role, selected, good, bad, restrictions: [] });
  });
  return report;
}

/** Each selected implementation restricts the roles it depends on or conflicts with. */
function applyRestrictions(problem: Problem, report: Map<number, Component>): void {
  problem.roles.forEach((_info, role) => {
    const requirer = selectedRequirer(problem, role);
    if (requirer === undefined) return;
    const { variable, by, byVersion } = requirer;
    for (const dep of problem.vars[variable].deps) {
      const target = dep.role < 0 ? undefined : report.get(dep.role);
      if (target === undefined || dep.test === undefined) continue;
      const restriction: Restriction = { by, byVersion, constraint: dep.constraint, conflict: !dep.essential };
      const test = dep.essential ? dep.test : negateTest(dep.test);
      target.restrictions.push({ restriction, test });
      filterGood(problem, target, (version) => (test(version) ? undefined : { kind: "restriction", restriction }));
    }
  });
}

function negateTest(test: (version: string) => boolean): (version: string) => boolean {
  return (version) => !test(version);
}

/** Moves the good variables for which `problemOf` finds a reason to the bad list. */
function filterGood(problem: Problem, component: Component, problemOf: (version: string, variable: number) => RejectReason | undefined): void {
  component.good = component.good.filter((variable) => {
    const reason = problemOf(versionOf(problem, variable), variable);
    if (reason === undefined) return true;
    reject(problem, component, variable, reason);
    return false;
  });
}

function reject(problem: Problem, component: Component, variable: number, reason: RejectReason): void {
  const { impl, role } = problem.vars[variable];
  const { candidates, vars } = problem.roles[role];
  const position = impl === undefined ? -1 : candidates.findIndex((candidate) => candidate.ok && candidate.impl === impl);
  component.bad.push({ version: versionOf(problem, variable), position: position < 0 ? vars.indexOf(variable) : position, reason });
}

/** The version of an implementation; for a `|` alternative, its printed need. */
function versionOf(problem: Problem, variable: number): string {
  const { impl, alternative } = problem.vars[variable];
  return impl?.version ?? (alternative === undefined ? "" : describeNeed(alternative));
}

/** For a role that got the dummy: which selected package each remaining version clashes with. */
function explainDummy(problem: Problem, component: Component, classes: Map<string, number[]>): void {
  filterGood(problem, component, (_version, variable) => {
    for (const dep of problem.vars[variable].deps) {
      const reason = dependencyProblem(problem, dep);
      if (reason !== undefined) return reason;
    }
    for (const conflictClass of problem.vars[variable].impl?.conflictClasses ?? []) {
      const other = (classes.get(conflictClass) ?? []).find((v) => problem.vars[v].role !== component.role);
      const impl = other === undefined ? undefined : problem.vars[other].impl;
      if (impl !== undefined) return { kind: "conflict-class", conflictClass, name: impl.name, version: impl.version };
    }
    return undefined;
  });
  for (const variable of component.good) reject(problem, component, variable, { kind: "unknown" });
  component.good = [];
}

function dependencyProblem(problem: Problem, dep: Dep): RejectReason | undefined {
  if (dep.role < 0 || dep.test === undefined) return undefined;
  const selected = selectedVar(problem, dep.role);
  const impl = selected < 0 ? undefined : problem.vars[selected].impl;
  if (impl === undefined) return undefined;
  const { name, version } = impl;
  if (dep.essential && !dep.test(version)) return { kind: "dependency", name, version, constraint: dep.constraint };
  if (!dep.essential && dep.test(version)) return { kind: "conflict", name, version, constraint: dep.constraint };
  return undefined;
}

/** Selected real implementations per conflict class. */
function selectedClasses(problem: Problem): Map<string, number[]> {
  const classes = new Map<string, number[]>();
  problem.roles.forEach((_info, role) => {
    const variable = selectedVar(problem, role);
    for (const conflictClass of variable < 0 ? [] : problem.vars[variable].impl?.conflictClasses ?? []) {
      classes.set(conflictClass, [...(classes.get(conflictClass) ?? []), variable]);
    }
  });
  return classes;
}

function toRoleProblem(problem: Problem, component: Component, input: SolverInput, requiredBy: ReturnType<typeof readRequiredBy>): RoleProblem {
  const info = problem.roles[component.role];
  const virtual = info.kind === "virtual";
  const compare = virtual ? undefined : input.compareVersions;
  const bad = [...component.bad].sort(
    (a, b) => (compare === undefined ? 0 : compare(b.version, a.version)) || a.position - b.position,
  );
  const rejected: RejectedVersion[] = bad.map(({ version, reason }) => ({ version, reason }));
  const chainTarget = virtual ? info.owner : info.name;
  const chains = shortestChains(requiredBy, chainTarget).map((chain) => (virtual ? [...chain, info.name] : chain));
  return {
    name: info.name,
    virtual,
    chains,
    restrictions: component.restrictions.map((r) => r.restriction),
    rejected,
    knownVersions: virtual ? info.vars.length - 1 : info.candidates.length,
  };
}

function isNotDune(problem: RoleProblem): boolean {
  if (problem.virtual || problem.rejected.length === 0) return false;
  return problem.rejected.every(({ reason }) => reason.kind === "model" && reason.rejection.kind === "not-dune");
}

/** opam-monorepo: a model-rejected version would have matched every restriction. */
function noEligibleVersion(problem: Problem, component: Component): { name: string; constraint: string }[] {
  const info = problem.roles[component.role];
  if (info.kind !== "real" || component.restrictions.length === 0) return [];
  const eligible = component.bad.filter(
    ({ version, reason }) => reason.kind === "model" && component.restrictions.every(({ test }) => test(version)),
  );
  if (eligible.length === 0) return [];
  const constraint = formatRestrictions(component.restrictions.map((r) => r.restriction));
  // A user constraint (--ocaml-version, a pin) that rejected them is part of what nothing matches.
  const user = new Set(eligible.flatMap(({ reason }) => (reason.kind === "model" && reason.rejection.kind === "user-constraint" ? [reason.rejection.constraint] : [])));
  return [{ name: info.name, constraint: [...user, constraint].join(" & ") }];
}

/** The AND of restrictions, opam style: `>= 1.0 & < 2.0`; conflicts as `!(= 1.0)`. */
export function formatRestrictions(restrictions: Restriction[]): string {
  const parts = restrictions.map(({ constraint, conflict }) => {
    if (conflict) return `!(${constraint === "" ? "*" : constraint})`;
    return constraint.includes("|") ? `(${constraint})` : constraint;
  });
  return [...new Set(parts)].join(" & ");
}
