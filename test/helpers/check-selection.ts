// Independent checker of a solver selection against its input: roots, needs (all/any), conflicts,
// conflict classes, candidates actually offered, and no package selected without a reason.
// Shares no code with src/solve beyond the types; returns problems as strings ([] = valid).
import type { Implementation, Need, SolverInput } from "../../src/solve/model.js";

/** With `requireNeeded` false, extra (unneeded but harmless) packages are allowed. */
export function checkSelection(
  input: SolverInput,
  selection: Map<string, Implementation>,
  options: { requireNeeded?: boolean } = {},
): string[] {
  const problems: string[] = [];
  for (const [name, impl] of selection) {
    const id = `${impl.name}.${impl.version}`;
    if (impl.name !== name) problems.push(`${id} is filed under ${name}`);
    const offered = input.candidates(name).some((c) => c.ok && c.impl.version === impl.version);
    if (!offered) problems.push(`${id} is not a usable candidate`);
    if (!needHolds(impl.needs, selection)) problems.push(`${id}: dependencies not satisfied`);
    for (const conflict of impl.conflicts) {
      const other = selection.get(conflict.name);
      if (other !== undefined && conflict.rejects(other.version)) {
        problems.push(`${id} conflicts with ${other.name}.${other.version} (${conflict.constraint || "any"})`);
      }
    }
  }
  for (const root of input.roots) {
    const impl = selection.get(root.name);
    if (impl === undefined) problems.push(`root ${root.name} not selected`);
    else if (root.accepts !== undefined && !root.accepts(impl.version)) {
      problems.push(`root ${root.name}.${impl.version} fails ${root.constraint ?? "its constraint"}`);
    }
  }
  problems.push(...classClashes(selection));
  if (options.requireNeeded ?? true) problems.push(...unreachable(input, selection));
  return problems;
}

/** Whether a need is satisfied by the selection. */
export function needHolds(need: Need, selection: Map<string, Implementation>): boolean {
  switch (need.kind) {
    case "package": {
      const impl = selection.get(need.name);
      return impl !== undefined && (need.accepts === undefined || need.accepts(impl.version));
    }
    case "all":
      return need.needs.every((inner) => needHolds(inner, selection));
    case "any":
      return need.needs.some((inner) => needHolds(inner, selection));
  }
}

function classClashes(selection: Map<string, Implementation>): string[] {
  const owners = new Map<string, string>();
  const problems: string[] = [];
  for (const impl of selection.values()) {
    for (const conflictClass of impl.conflictClasses) {
      const previous = owners.get(conflictClass);
      if (previous !== undefined) problems.push(`${previous} and ${impl.name} share conflict class ${conflictClass}`);
      else owners.set(conflictClass, impl.name);
    }
  }
  return problems;
}

/** Selected packages that no satisfied need path from a root leads to. */
function unreachable(input: SolverInput, selection: Map<string, Implementation>): string[] {
  const reached = new Set<string>();
  const queue: string[] = [];
  const reach = (name: string): void => {
    if (selection.has(name) && !reached.has(name)) {
      reached.add(name);
      queue.push(name);
    }
  };
  const walk = (need: Need): void => {
    if (need.kind === "package") reach(need.name);
    else if (need.kind === "all") need.needs.forEach(walk);
    else need.needs.filter((inner) => needHolds(inner, selection)).forEach(walk);
  };
  input.roots.forEach((root) => reach(root.name));
  for (let i = 0; i < queue.length; i++) walk((selection.get(queue[i]) as Implementation).needs);
  return [...selection.keys()].filter((name) => !reached.has(name)).map((name) => `${name} is selected but not needed`);
}
