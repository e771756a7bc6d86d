// The UserError of a failed lock: the non-dune paragraph (§4.7), or the causes (explain-cause.ts)
// first and short (≤ 25 lines; the solver's full explanation with -v), falling back to a trimmed
// explanation when no cause is found. Pure text.
import { UserError } from "../core/errors.js";
import { OVERLAY_REPOSITORY_URL } from "../core/paths.js";
import { filterVariables } from "../opam/filter-format.js";
import { formulaAtoms } from "../opam/formula-core.js";
import type { OpamPackage } from "../opam/package.js";
import { findCauses, type CauseAnalysis, type CauseTarget } from "../solve/explain-cause.js";
import type { LockSolveResult } from "../solve/lock-solve.js";
import { describeReason, explainFailure, type Explanation, type ProblemExplanation } from "../solve/explain.js";
import type { Diagnostics, RejectReason } from "../solve/model.js";
import { causeText, simplifyConstraint } from "./failure-text.js";

/** The most lines a default (not -v) failure prints, hint included. */
export const SHORT_LINES = 25;
/** Packages whose rejections are noise in the default view (compiler variants reached through `|`). */
const QUIET_PACKAGES: ReadonlySet<string> = new Set(["ocaml-variants", "base-effects"]);
const SHORT_CONSTRAINTS = 4;

export interface SolveFailureOptions {
  verbose: boolean;
  overlayConfigured: boolean;
  phase: "dune" | "opam-provided";
  /**
   * Where the "There is no eligible version of …" lines go. With it, each is logged as its own
   * `[ERROR]` line before the error (as the reference does, and as scripts grep for); without it
   * they are part of the error's message.
   */
  logError?: (line: string) => void;
  /** The cause analysis, with what its text needs. */
  causes?: { analysis: CauseAnalysis | undefined; targets: string[]; buildOnly: boolean; command: string };
  /** `opam-monorepo` or `opam monorepo`, for the hints. */
  command?: string;
}

function nonDuneMessage(packages: readonly string[], overlayConfigured: boolean, command: string): string {
  const list = packages.map((name) => `- ${name}`).join("\n");
  const provided = `If they are installed by opam instead, list them with \`${command} lock --add-opam-provided '[${packages.join(",")}]'\`.`;
  const overlay = overlayConfigured
    ? `The dune-universe opam repository (${OVERLAY_REPOSITORY_URL}) contains dune ports of some popular packages, however it appears to already be set up. Thus it is possible that no dune port exists for any of these packages.\n\n${provided}\n\nFor information on how to contribute a new dune port, see: https://github.com/dune-universe/opam-overlays`
    : `The dune-universe opam repository (${OVERLAY_REPOSITORY_URL}) contains dune ports of some popular packages. It doesn't appear to be set up. Adding it may fix this issue: add it to this switch with\n\nopam repository add dune-universe ${OVERLAY_REPOSITORY_URL}\n\nor list it first in x-opam-monorepo-opam-repositories / --add-opam-repositories.\n\n${provided}`;
  return (
    "Some dependencies cannot be built with dune!\n\nopam-monorepo requires that all dependencies use dune as their build system.\n\n" +
    `These dependencies (possibly transitive) don't use dune as their build system:\n${list}\n\n${overlay}`
  );
}

/**
 * Lays an explanation out as text: summary, then per package its chains, constraints and rejected
 * versions. The detail lines come after the summary unless `withDetails` is false.
 */
export function explanationText(explanation: Explanation, withDetails = true): string {
  const lines = [explanation.summary, ...(withDetails ? explanation.details : [])];
  for (const problem of explanation.problems) lines.push(...problemLines(problem, problem.constraints));
  return lines.join("\n");
}

function problemLines(problem: ProblemExplanation, constraints: string[]): string[] {
  const lines = [`- ${problem.package}`];
  for (const chain of problem.chains) lines.push(`    required by ${chain.slice(0, -1).reverse().join(" <- ") || "the request"}`);
  for (const constraint of constraints) lines.push(`    ${constraint}`);
  if (problem.rejected.length > 0) lines.push("    Rejected candidates:");
  for (const { version, reason } of problem.rejected) lines.push(`      ${problem.package}.${version}: ${reason}`);
  if (problem.more > 0) lines.push(`      ... ${problem.more} more (use -v to see all)`);
  return lines;
}

/** "a.1 requires >= 2" lines grouped by what is required: `requires >= 2: a.1, b.3, … (7)`. */
function groupedConstraints(constraints: readonly string[]): string[] {
  const groups = new Map<string, string[]>();
  for (const line of constraints) {
    const match = /^(\S+) (requires .*|conflicts with .*)$/.exec(line);
    const [who, what] = match === null ? ["", line] : [match[1]!, match[2]!];
    groups.set(what, [...(groups.get(what) ?? []), who]);
  }
  const lines = [...groups].map(([what, who]) => {
    const named = who.filter((w) => w !== "");
    if (named.length === 0) return what;
    const shown = named.slice(0, 3).join(", ") + (named.length > 3 ? `, … (${named.length})` : "");
    return `${what}: ${shown}`;
  });
  return lines.length > SHORT_CONSTRAINTS ? [...lines.slice(0, SHORT_CONSTRAINTS), `… ${lines.length - SHORT_CONSTRAINTS} more constraints (use -v to see all)`] : lines;
}

/** The default view of an explanation without causes: no compiler-variant noise, grouped constraints, capped. */
function shortExplanationText(explanation: Explanation, withDetails: boolean, budget: number): string {
  const loud = explanation.problems.filter((p) => !QUIET_PACKAGES.has(p.package));
  const problems = loud.length > 0 ? loud : explanation.problems;
  const lines = [explanation.summary, ...(withDetails ? explanation.details : [])];
  for (const problem of problems) lines.push(...problemLines(problem, groupedConstraints(problem.constraints)));
  if (lines.length <= budget) return lines.join("\n");
  return [...lines.slice(0, budget - 1), `… ${lines.length - budget + 1} more lines (use -v to see all)`].join("\n");
}

/**
 * A hint for each failing package a user constraint (`--ocaml-version`) restricts: either no version
 * matches it at all, or the versions it leaves are excluded (and why).
 */
function userConstraintHints(diagnostics: Diagnostics): string[] {
  return diagnostics.problems.flatMap((problem) => {
    const constraint = (reason: RejectReason) => (reason.kind === "model" && reason.rejection.kind === "user-constraint" ? reason.rejection.constraint : undefined);
    const byUser = problem.rejected.map(({ reason }) => constraint(reason)).find((c) => c !== undefined);
    if (byUser === undefined) return [];
    const flag = problem.name === "ocaml" ? " (--ocaml-version)" : "";
    const left = problem.rejected.filter(({ reason }) => constraint(reason) === undefined);
    if (left.length === 0) {
      return [`no version of ${problem.name} in the repositories matches ${byUser}${flag}; the newest is ${problem.rejected[0]!.version}`];
    }
    const why = left.slice(0, 3).map(({ version, reason }) => `${problem.name}.${version}: ${describeReason(reason)}`);
    return [`${problem.name} is restricted to ${byUser}${flag}, which leaves ${why.join("; ")}`];
  });
}

/** Each target with the names of its `with-test` dependencies. */
function causeTargets(targets: readonly OpamPackage[]): CauseTarget[] {
  return targets.map((pkg) => ({
    name: pkg.name,
    testDeps: new Set(
      formulaAtoms(pkg.depends)
        .filter((atom) => formulaAtoms(atom.constraint).some((item) => item.kind === "filter" && filterVariables(item.filter).has("with-test")))
        .map((atom) => atom.name),
    ),
  }));
}

/** The cause analysis of a failed lock solve (the first, dune, pass only). */
export function analyseFailure(result: Extract<LockSolveResult, { ok: false }>, targets: readonly OpamPackage[]): CauseAnalysis | undefined {
  if (result.phase !== "dune") return undefined;
  return findCauses(result.input, causeTargets(targets));
}

/** The UserError for a failed solve: the non-dune paragraph (§4.7), the causes, or the explanation. */
export function solveFailure(diagnostics: Diagnostics, options: SolveFailureOptions): UserError {
  const command = options.causes?.command ?? options.command ?? "opam-monorepo";
  const explanation = explainFailure(diagnostics, { verbose: options.verbose });
  const constraintHints = userConstraintHints(diagnostics);
  const details = { explanation, diagnostics: { problems: explanation.problems, notBuildableWithDune: diagnostics.notBuildableWithDune } };
  if (diagnostics.notBuildableWithDune.length > 0 && options.phase === "dune") {
    return new UserError("NOT_DUNE", nonDuneMessage(diagnostics.notBuildableWithDune, options.overlayConfigured, command), { details });
  }
  const causes = options.causes?.analysis === undefined ? undefined : causeText(options.causes.analysis, options.causes);
  const chainNames = new Set(options.causes?.analysis?.causes.flatMap((cause) => cause.steps.slice(0, cause.byUser ? -1 : undefined).map((step) => step.name)) ?? []);
  const eligible = diagnostics.noEligibleVersion
    .filter(({ name }) => causes === undefined || options.verbose || chainNames.has(name))
    .map(({ name, constraint }) => `There is no eligible version of ${name} that matches ${options.verbose ? constraint : simplifyConstraint(constraint)}`);
  const opamProvided = options.phase === "opam-provided" ? "Solving opam-provided dependencies could not find a solution" : undefined;
  const logError = options.logError;
  if (logError !== undefined) [...(opamProvided ? [opamProvided] : []), ...eligible].forEach((line) => logError(line));
  const prefix = opamProvided !== undefined && logError === undefined ? `${opamProvided}.\n` : "";
  const inline = logError === undefined ? eligible : [];
  if (causes !== undefined) {
    const full = options.verbose ? `\n${explanationText(explanation, false)}` : "";
    const hints = [...causes.hints, ...constraintHints.filter((hint) => options.verbose || hint.startsWith("no version of")), ...explanation.hints];
    return new UserError("NO_SOLUTION", prefix + [causes.message, ...inline].join("\n") + full, { hint: hints.join("\n") || undefined, details });
  }
  const hints = [...constraintHints, ...explanation.hints];
  const shortExplanation = { ...explanation, details: eligible };
  const budget = SHORT_LINES - eligible.length - hints.length - 1;
  const text = options.verbose ? explanationText(shortExplanation, logError === undefined) : shortExplanationText(shortExplanation, logError === undefined, Math.max(8, budget));
  return new UserError("NO_SOLUTION", prefix + text, { hint: hints.join("\n") || undefined, details });
}
