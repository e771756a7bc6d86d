// In-memory builder of solver inputs for tests: packages with depends/conflicts/conflict classes
// written as short strings ("b >= 1 & < 2"), rejected versions, and roots. Test-only: versions are
// dotted numbers compared numerically (never opam's order).
import type { Candidate, Conflict, Implementation, Need, Root, SolverInput } from "../../src/solve/model.js";
import type { Rejection } from "../../src/solve/rejection.js";

/** "name", "name >= 1", "name >= 1 & < 2", "name < 1 | >= 3"; or an explicit any/all group. */
export type DepSpec = string | { any: DepSpec[] } | { all: DepSpec[] };

export interface PackageSpec {
  depends?: DepSpec[];
  /** Conflict atoms, e.g. "b = 1" (forbids b.1), "b" (forbids every b). */
  conflicts?: string[];
  classes?: string[];
}

export interface MemoryInput extends SolverInput {
  /** Names the solver asked candidates for, in order. */
  readonly queried: string[];
}

export interface MemoryContext {
  add(name: string, version: string, spec?: PackageSpec): MemoryContext;
  /** Marks a version as rejected by the context (adds it if absent). */
  reject(name: string, version: string, rejection: Rejection): MemoryContext;
  /** A solver input for these roots ("name" or "name >= 2"). */
  input(roots: string[]): MemoryInput;
}

export function memoryContext(): MemoryContext {
  const packages = new Map<string, Map<string, Candidate>>();
  const versionsOf = (name: string): Map<string, Candidate> => {
    let versions = packages.get(name);
    if (versions === undefined) packages.set(name, (versions = new Map()));
    return versions;
  };
  const context: MemoryContext = {
    add(name, version, spec = {}) {
      versionsOf(name).set(version, { ok: true, impl: implementation(name, version, spec) });
      return context;
    },
    reject(name, version, rejection) {
      versionsOf(name).set(version, { ok: false, name, version, rejection });
      return context;
    },
    input(roots) {
      const queried: string[] = [];
      const cache = new Map<string, Candidate[]>();
      return {
        roots: roots.map(parseRoot),
        queried,
        compareVersions,
        candidates(name) {
          queried.push(name);
          let list = cache.get(name);
          if (list === undefined) cache.set(name, (list = orderCandidates(packages.get(name))));
          return list;
        },
      };
    },
  };
  return context;
}

/** Newest first; rejected versions after the usable ones (opam-monorepo's order). */
function orderCandidates(versions: Map<string, Candidate> | undefined): Candidate[] {
  const all = [...(versions?.values() ?? [])];
  const versionOf = (c: Candidate): string => (c.ok ? c.impl.version : c.version);
  all.sort((a, b) => compareVersions(versionOf(b), versionOf(a)));
  return [...all.filter((c) => c.ok), ...all.filter((c) => !c.ok)];
}

export function implementation(name: string, version: string, spec: PackageSpec = {}): Implementation {
  return {
    name,
    version,
    needs: { kind: "all", needs: (spec.depends ?? []).map(parseNeed) },
    conflicts: (spec.conflicts ?? []).map(parseConflict),
    conflictClasses: spec.classes ?? [],
  };
}

export function parseNeed(spec: DepSpec): Need {
  if (typeof spec !== "string") {
    return "any" in spec
      ? { kind: "any", needs: spec.any.map(parseNeed) }
      : { kind: "all", needs: spec.all.map(parseNeed) };
  }
  const { name, constraint } = splitAtom(spec);
  if (constraint === "") return { kind: "package", name, constraint };
  return { kind: "package", name, constraint, accepts: parseConstraint(constraint) };
}

export function parseConflict(text: string): Conflict {
  const { name, constraint } = splitAtom(text);
  return { name, constraint, rejects: constraint === "" ? () => true : parseConstraint(constraint) };
}

function parseRoot(text: string): Root {
  const { name, constraint } = splitAtom(text);
  return constraint === "" ? { name } : { name, constraint, accepts: parseConstraint(constraint) };
}

function splitAtom(text: string): { name: string; constraint: string } {
  const trimmed = text.trim();
  const space = trimmed.indexOf(" ");
  if (space < 0) return { name: trimmed, constraint: "" };
  return { name: trimmed.slice(0, space), constraint: trimmed.slice(space + 1).trim() };
}

/** ">= 1 & < 2 | = 5": `|` of `&` of relational atoms. */
export function parseConstraint(text: string): (version: string) => boolean {
  const alternatives = text.split("|").map((part) => part.split("&").map(parseRelation));
  return (version) => alternatives.some((atoms) => atoms.every((atom) => atom(version)));
}

function parseRelation(text: string): (version: string) => boolean {
  const match = /^\s*(>=|<=|!=|=|>|<)\s*(\S+)\s*$/.exec(text);
  if (match === null) throw new Error(`bad constraint atom: ${JSON.stringify(text)}`);
  const [, op, bound] = match;
  return (version) => {
    const c = compareVersions(version, bound);
    const results: Record<string, boolean> = { "=": c === 0, "!=": c !== 0, ">=": c >= 0, "<=": c <= 0, ">": c > 0, "<": c < 0 };
    return results[op];
  };
}

/** Dotted versions, numeric parts compared as numbers ("1.10" > "1.9"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".");
  const pb = b.split(".");
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if (pa[i] === undefined) return -1;
    if (pb[i] === undefined) return 1;
    const na = Number(pa[i]);
    const nb = Number(pb[i]);
    const c = Number.isNaN(na) || Number.isNaN(nb) ? (pa[i] < pb[i] ? -1 : pa[i] > pb[i] ? 1 : 0) : na - nb;
    if (c !== 0) return Math.sign(c);
  }
  return 0;
}
