// The solver's vocabulary: what it is given (roots, candidates per package name, needs, conflicts,
// conflict classes) and what it returns (a selection or diagnostics); types, one constant and how a
// need prints. Independent of opam parsing: versions are opaque strings, compared by the predicates.
import type { Rejection } from "./rejection.js";

/**
 * A dependency formula, already filtered for the platform.
 * - `package`: some version of `name` accepted by `accepts` must be selected;
 *   `accepts` undefined = any version (then `constraint` is ""). Needs on the same package with the
 *   same `constraint` text must accept the same versions: the solver reuses the result.
 * - `all`: every need holds (opam `&`).
 * - `any`: opam `|`; the alternatives are tried in order (first = preferred).
 */
export type Need =
  | { kind: "package"; name: string; accepts?: (version: string) => boolean; constraint: string }
  | { kind: "all"; needs: Need[] }
  | { kind: "any"; needs: Need[] };

/** One negated `conflicts` atom: selecting the implementation forbids the versions `rejects` returns true for. */
export interface Conflict {
  name: string;
  rejects: (version: string) => boolean;
  /** Printable formula of the forbidden versions, e.g. "< 2.0"; "" = every version. */
  constraint: string;
}

/** One selectable version of a package. */
export interface Implementation {
  name: string;
  version: string;
  needs: Need;
  conflicts: Conflict[];
  /** At most one implementation per class can be selected (opam `conflict-class`). */
  conflictClasses: string[];
}

/** A version as the context offers it: usable, or kept aside (for diagnostics only) with the reason. */
export type Candidate =
  | { ok: true; impl: Implementation }
  | { ok: false; name: string; version: string; rejection: Rejection };

/** A requested package; `accepts`/`constraint` restrict it like a dependency of the request. */
export interface Root {
  name: string;
  accepts?: (version: string) => boolean;
  constraint?: string;
}

export interface SolverInput {
  /** Requested packages, in priority order (the first gets its best version first). */
  roots: Root[];
  /** Candidates of a package name, most preferred first; [] for an unknown name. Called once per name per solve. */
  candidates(name: string): readonly Candidate[];
  /** Optional, used only to list rejected versions newest first in diagnostics. */
  compareVersions?: (a: string, b: string) => number;
  /** `Date.now()` after which the search stops with SolverTimeout; none = no limit. */
  deadline?: number;
}

/** Thrown by the search when `SolverInput.deadline` has passed (the caller turns it into SOLVER_TIMEOUT). */
export class SolverTimeout extends Error {
  constructor() {
    super("the solver ran out of time");
    this.name = "SolverTimeout";
  }
}

/** The requirer name used for the request itself in `requiredBy` and chains. */
export const ROOT = "<root>";

/** An edge of the solution graph: `by` (package name or ROOT) needs the package with `constraint`. */
export interface Requirement {
  by: string;
  /** Version of `by`; "" for ROOT. */
  byVersion: string;
  constraint: string;
}

export interface SolveStats {
  /** Package names the problem reached (roles), and `|` groups (virtual roles). */
  packages: number;
  groups: number;
  implementations: number;
  /** Literals in the dependency clauses built for the problem. */
  literals: number;
  decisions: number;
  conflicts: number;
}

export interface SolveSuccess {
  ok: true;
  /** Selected implementation per package name (sorted by name). */
  selection: Map<string, Implementation>;
  /** For each selected package, who needs it and with which constraint. */
  requiredBy: Map<string, Requirement[]>;
  stats: SolveStats;
}

export interface SolveFailure {
  ok: false;
  diagnostics: Diagnostics;
  stats: SolveStats;
}

export type SolveResult = SolveSuccess | SolveFailure;

/** A restriction some selected implementation (or the request) puts on a package. */
export interface Restriction {
  by: string;
  byVersion: string;
  /** For a conflict: the forbidden versions ("" = all); otherwise the required versions. */
  constraint: string;
  conflict: boolean;
}

/** Why one version of a failing package could not be used. */
export type RejectReason =
  | { kind: "model"; rejection: Rejection }
  /** It fails a restriction (or matches a conflict) imposed by a selected implementation. */
  | { kind: "restriction"; restriction: Restriction }
  /** Its dependency on `name` (with `constraint`) rejects the selected `name.version`. */
  | { kind: "dependency"; name: string; version: string; constraint: string }
  /** Its own `conflicts` forbid the selected `name.version`. */
  | { kind: "conflict"; name: string; version: string; constraint: string }
  /** It shares conflict class `conflictClass` with the selected `name.version`. */
  | { kind: "conflict-class"; conflictClass: string; name: string; version: string }
  /** Excluded by a combination of choices the diagnostics could not pin down. */
  | { kind: "unknown" };

export interface RejectedVersion {
  version: string;
  reason: RejectReason;
}

/** A package (or a `|` group, `virtual`) that got no version in the closest-match solve. */
export interface RoleProblem {
  name: string;
  virtual: boolean;
  /** Shortest chains of package names from a requested package down to `name` (inclusive). */
  chains: string[][];
  restrictions: Restriction[];
  /** Every known version and why it was not used (newest first when versions can be compared). */
  rejected: RejectedVersion[];
  /** Number of versions the context knows (0 = unknown package). */
  knownVersions: number;
}

/** The failure as data (0install "closest match" re-solve, plus opam-monorepo's two checks). */
export interface Diagnostics {
  /** Packages the closest-match solve could select, sorted by name. */
  selected: { name: string; version: string }[];
  problems: RoleProblem[];
  /** Failing packages whose versions are all rejected as not building with dune. */
  notBuildableWithDune: string[];
  /** Failing packages with a model-rejected version that matches every restriction (AND-ed text). */
  noEligibleVersion: { name: string; constraint: string }[];
}

/** Printable form of a need, used to name `|` groups. */
export function describeNeed(need: Need): string {
  switch (need.kind) {
    case "package":
      return need.constraint === "" ? need.name : `${need.name} ${need.constraint}`;
    case "all":
      return need.needs.length === 1 ? describeNeed(need.needs[0]) : `(${need.needs.map(describeNeed).join(" & ")})`;
    case "any":
      return `(${need.needs.map(describeNeed).join(" | ")})`;
  }
}
