// Why a lock failed, in the user's terms: which local packages cannot be locked and which of their
// direct dependencies (with the bound written in their opam file) no usable version can meet, and
// why (the chain down to the excluded package). An optimistic analysis: a version is "viable" while
// each of its needs has a viable candidate (conflicts ignored), computed as a greatest fixpoint over
// the failing solve's input. Pure; it never changes the solver.
import type { Candidate, Implementation, Need, SolverInput } from "./model.js";
import { describeRejection } from "./rejection.js";

type PackageNeed = Extract<Need, { kind: "package" }>;

/** One step down the chain: `name constraint`, and the versions that need it (undefined for the root). */
export interface CauseStep {
  name: string;
  constraint: string;
  /** The versions of the previous step that all stop here, first and last in preference order. */
  versions?: { first: string; last: string; count: number; of: number };
}

export interface Cause {
  /** The local package whose direct dependency fails. */
  target: string;
  /** The dependency as written (first step) and what stops it, down to the last step. */
  steps: CauseStep[];
  /** Why the last step has no usable version (every matching version rejected, or unknown). */
  end: string;
  /** The dependency counts only with `with-test`. */
  testOnly: boolean;
  /** Every version of the last step is excluded by a user constraint (`--ocaml-version`): `end` names it. */
  byUser: boolean;
}

export interface CauseAnalysis {
  causes: Cause[];
  /** Targets whose direct dependencies all have a viable version (in target order). */
  unblocked: string[];
}

export interface CauseTarget {
  /** (Targets are taken as usable by the other targets: each one's own causes are listed once.) */
  name: string;
  /** Names of its dependencies that are filtered by `with-test`. */
  testDeps: ReadonlySet<string>;
}

const MAX_IMPLEMENTATIONS = 200_000;
const MAX_DEPTH = 4;

interface Viability {
  candidates(name: string): readonly Candidate[];
  viable(impl: Implementation): boolean;
  blocker(impl: Implementation): PackageNeed | undefined;
}

/** The greatest fixpoint of "every need has a viable candidate", over the names reachable from `roots`. */
export function viability(input: SolverInput, roots: readonly string[]): Viability | undefined {
  const cache = new Map<string, readonly Candidate[]>();
  const candidates = (name: string) => {
    let found = cache.get(name);
    if (found === undefined) cache.set(name, (found = input.candidates(name)));
    return found;
  };
  const impls: Implementation[] = [];
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const candidate of candidates(name)) {
      if (!candidate.ok) continue;
      impls.push(candidate.impl);
      packageNeeds(candidate.impl.needs).forEach((need) => queue.push(need.name));
    }
    if (impls.length > MAX_IMPLEMENTATIONS) return undefined;
  }
  const blockers = new Map<Implementation, PackageNeed>();
  const viable = (impl: Implementation) => !blockers.has(impl);
  const holds = (need: Need): PackageNeed | undefined | true => {
    if (need.kind === "package") {
      const ok = candidates(need.name).some((c) => c.ok && viable(c.impl) && (need.accepts === undefined || need.accepts(c.impl.version)));
      return ok ? true : need;
    }
    if (need.kind === "all") {
      for (const part of need.needs) {
        const result = holds(part);
        if (result !== true) return result;
      }
      return true;
    }
    const results = need.needs.map(holds);
    return results.some((r) => r === true) ? true : (results.find((r) => r !== undefined && r !== true) ?? undefined);
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const impl of impls) {
      if (!viable(impl)) continue;
      const result = holds(impl.needs);
      if (result === true) continue;
      blockers.set(impl, result ?? { kind: "package", name: "?", constraint: "" });
      changed = true;
    }
  }
  return { candidates, viable, blocker: (impl) => blockers.get(impl) };
}

/** The package needs of a formula, `|` groups included (each alternative). */
function packageNeeds(need: Need): PackageNeed[] {
  return need.kind === "package" ? [need] : need.needs.flatMap(packageNeeds);
}

/** The direct needs of a target: `&` parts; a `|` group is one need (it fails when all fail). */
function directNeeds(need: Need): Need[] {
  return need.kind === "all" ? need.needs.flatMap(directNeeds) : [need];
}

/** Causes of a failed lock; undefined when the analysis would be too large. */
export function findCauses(input: SolverInput, targets: readonly CauseTarget[]): CauseAnalysis | undefined {
  const analysis = viability(input, input.roots.map((root) => root.name));
  if (analysis === undefined) return undefined;
  const causes: Cause[] = [];
  const unblocked: string[] = [];
  for (const target of targets) {
    const impl = analysis.candidates(target.name).find((c) => c.ok)?.impl;
    if (impl === undefined) continue;
    const targetNames = new Set(targets.map((t) => t.name));
    const own = directNeeds(impl.needs).filter((need) => !packageNeeds(need).some((n) => targetNames.has(n.name)));
    const failing = own.filter((need) => !needHolds(analysis, need));
    if (failing.length === 0) unblocked.push(target.name);
    for (const need of failing) {
      const first = need.kind === "package" ? need : packageNeeds(need)[0];
      if (first === undefined) continue;
      causes.push({ target: target.name, ...chainOf(analysis, first), testOnly: target.testDeps.has(first.name) });
    }
  }
  return { causes, unblocked };
}

function needHolds(analysis: Viability, need: Need): boolean {
  if (need.kind === "package") return matching(analysis, need).some((c) => c.ok && analysis.viable(c.impl));
  if (need.kind === "all") return need.needs.every((part) => needHolds(analysis, part));
  return need.needs.some((part) => needHolds(analysis, part));
}

function matching(analysis: Viability, need: PackageNeed): readonly Candidate[] {
  return analysis.candidates(need.name).filter((c) => need.accepts === undefined || need.accepts(c.ok ? c.impl.version : c.version));
}

/** Follows the blockers of `need`'s matching versions down to a package whose versions are all rejected. */
function chainOf(analysis: Viability, need: PackageNeed): { steps: CauseStep[]; end: string; byUser: boolean } {
  const steps: CauseStep[] = [{ name: need.name, constraint: need.constraint }];
  let current = need;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const found = matching(analysis, current);
    if (analysis.candidates(current.name).length === 0) return { steps, end: `no package named ${current.name} is known`, byUser: false };
    if (found.length === 0) return { steps, end: noMatch(analysis.candidates(current.name), current), byUser: false };
    const usable = found.filter((c): c is Extract<Candidate, { ok: true }> => c.ok);
    if (usable.length === 0) return { ...rejectedEnd(current.name, found), steps };
    const groups = new Map<string, { need: PackageNeed; versions: string[] }>();
    for (const { impl } of usable) {
      const blocker = analysis.blocker(impl);
      if (blocker === undefined) return { steps, end: "", byUser: false };
      const key = `${blocker.name} ${blocker.constraint}`;
      const group = groups.get(key) ?? { need: blocker, versions: [] };
      group.versions.push(impl.version);
      groups.set(key, group);
    }
    const [top] = [...groups.values()].sort((a, b) => b.versions.length - a.versions.length);
    const versions = { first: top!.versions[0]!, last: top!.versions[top!.versions.length - 1]!, count: top!.versions.length, of: usable.length };
    steps.push({ name: top!.need.name, constraint: top!.need.constraint, versions });
    current = top!.need;
  }
  return { steps, end: "", byUser: false };
}

/** `no version of b matches >= 2 (b has 1, 0.9)`: the newest few versions there are. */
function noMatch(candidates: readonly Candidate[], need: PackageNeed): string {
  const versions = candidates.map((c) => (c.ok ? c.impl.version : c.version));
  const shown = versions.slice(0, 3).join(", ") + (versions.length > 3 ? ", …" : "");
  return `no version of ${need.name} matches ${need.constraint} (${need.name} has ${shown})`;
}

/** Every matching version was kept away by the context: the reasons, most common first. */
function rejectedEnd(name: string, found: readonly Candidate[]): { end: string; byUser: boolean } {
  const rejected = found.filter((c): c is Extract<Candidate, { ok: false }> => !c.ok);
  const user = rejected.map((c) => (c.rejection.kind === "user-constraint" ? c.rejection.constraint : undefined));
  if (user.every((constraint) => constraint !== undefined && constraint === user[0])) {
    return { end: `excluded by the requested ${name} ${user[0]}`, byUser: true };
  }
  const reasons = new Map<string, string[]>();
  for (const candidate of rejected) {
    const reason = describeRejection(candidate.rejection);
    reasons.set(reason, [...(reasons.get(reason) ?? []), candidate.version]);
  }
  const end = [...reasons.entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .slice(0, 2)
    .map(([reason, versions]) => `${name}.${versions[0]}${versions.length > 1 ? ` (and ${versions.length - 1} more)` : ""}: ${reason}`)
    .join("; ");
  return { end, byUser: false };
}
