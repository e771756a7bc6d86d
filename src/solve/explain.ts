// Turns solver Diagnostics into an Explanation: a summary, per-package paths, constraints and
// rejected versions with reasons, and hints. The only place that words solver failures; the CLI
// render layer lays it out. Pure: no printing, no I/O.
import { ROOT, type Diagnostics, type RejectReason, type Restriction, type RoleProblem } from "./model.js";
import { describeRejection } from "./rejection.js";

export const OPAM_OVERLAYS_URL = "git+https://github.com/dune-universe/opam-overlays.git";
const SHORT_REJECTED = 5;

export interface ProblemExplanation {
  /** Package name, or the alternatives of a `|` group. */
  package: string;
  /** Shortest chains of package names from a requested package to this one. */
  chains: string[][];
  /** The restrictions in play, e.g. "a.1.0 requires >= 2". */
  constraints: string[];
  rejected: { version: string; reason: string }[];
  /** Rejected versions left out (short mode). */
  more: number;
}

export interface Explanation {
  summary: string;
  /** Extra error lines, e.g. "There is no eligible version of b that matches >= 1.0 & < 2.0". */
  details: string[];
  problems: ProblemExplanation[];
  hints: string[];
}

export function explainFailure(diagnostics: Diagnostics, options: { verbose?: boolean } = {}): Explanation {
  const limit = options.verbose === true ? Infinity : SHORT_REJECTED;
  const problems = diagnostics.problems.map((problem) => explainProblem(problem, limit));
  const details = diagnostics.noEligibleVersion.map(
    ({ name, constraint }) => `There is no eligible version of ${name} that matches ${constraint}`,
  );
  return { summary: summarise(diagnostics), details, problems, hints: hintsFor(diagnostics) };
}

function explainProblem(problem: RoleProblem, limit: number): ProblemExplanation {
  const shown = problem.rejected.slice(0, limit);
  return {
    package: problem.name,
    chains: problem.chains,
    constraints: problem.restrictions.map((restriction) => describeRestriction(problem.name, restriction)),
    rejected: shown.map(({ version, reason }) => ({ version, reason: describeReason(reason) })),
    more: problem.rejected.length - shown.length,
  };
}

function summarise(diagnostics: Diagnostics): string {
  const { problems, notBuildableWithDune } = diagnostics;
  if (notBuildableWithDune.length > 0) {
    return `Some dependencies cannot be built with dune: ${notBuildableWithDune.join(", ")}`;
  }
  if (problems.length === 1) {
    const [problem] = problems;
    if (!problem.virtual && problem.knownVersions === 0) return `No package named ${problem.name} is known`;
    return `No version of ${problem.name} satisfies every constraint`;
  }
  return `Can't find all required versions: ${problems.map((problem) => problem.name).join(", ")}`;
}

function hintsFor(diagnostics: Diagnostics): string[] {
  const hints: string[] = [];
  const { notBuildableWithDune, problems } = diagnostics;
  if (notBuildableWithDune.length > 0) {
    hints.push(
      `${notBuildableWithDune.join(", ")} (possibly transitive) ${notBuildableWithDune.length === 1 ? "does" : "do"} not ` +
        `build with dune; the dune-universe opam-overlays repository (${OPAM_OVERLAYS_URL}) has dune ports of some popular packages`,
    );
  }
  for (const problem of problems) {
    if (problem.virtual) continue;
    if (problem.knownVersions === 0) {
      hints.push(`no repository provides ${problem.name}: check the name, or add the repository that has it`);
    } else if (problem.rejected.every(({ reason }) => reason.kind === "model" && reason.rejection.kind === "unavailable")) {
      hints.push(`no version of ${problem.name} is available on this platform: check the opam variables (os, arch, ...)`);
    }
  }
  return hints;
}

/** One restriction on `name`, e.g. "a.1.0 requires >= 2" or "c.1 conflicts with name = 2". */
export function describeRestriction(name: string, restriction: Restriction): string {
  const who = requirer(restriction);
  if (restriction.conflict) {
    return restriction.constraint === ""
      ? `${who} conflicts with every version of ${name}`
      : `${who} conflicts with ${name} ${restriction.constraint}`;
  }
  return `${who} requires ${restriction.constraint}`;
}

/** Why one version was not usable, as a short phrase. */
export function describeReason(reason: RejectReason): string {
  switch (reason.kind) {
    case "model":
      return describeRejection(reason.rejection);
    case "restriction": {
      const { restriction } = reason;
      if (restriction.conflict) return `Conflicts with ${requirer(restriction)}`;
      return `Incompatible with restriction ${restriction.constraint} (from ${requirer(restriction)})`;
    }
    case "dependency":
      return `Requires ${reason.name} ${reason.constraint}, but ${reason.name}.${reason.version} is selected`;
    case "conflict":
      return `Conflicts with the selected ${reason.name}.${reason.version}`;
    case "conflict-class":
      return `In the same conflict class (${reason.conflictClass}) as ${reason.name}.${reason.version}`;
    case "unknown":
      return "Reason for rejection unknown";
  }
}

function requirer(restriction: Restriction): string {
  return restriction.by === ROOT ? "the request" : `${restriction.by}.${restriction.byVersion}`;
}
