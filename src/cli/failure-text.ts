// The default (short) text of a failed lock: the causes first, one line per local package and
// dependency (explain-cause.ts), the hints that fit (--build-only, locking fewer packages), and
// constraints without repeats. Pure text; lock-output.ts decides when to use it.
import type { Cause, CauseAnalysis, CauseStep } from "../solve/explain-cause.js";
import { compareVersions } from "../opam/version.js";

const MAX_CAUSES = 12;

function versionsText(previous: string, versions: CauseStep["versions"]): string {
  if (versions === undefined) return "";
  if (versions.count === 1) return ` (${previous}.${versions.first})`;
  const of = versions.of > versions.count ? ` of ${versions.of}` : "";
  return ` (${previous} ${versions.last} to ${versions.first}, ${versions.count}${of} versions)`;
}

function requirement(step: CauseStep): string {
  return step.constraint === "" ? step.name : `${step.name} ${step.constraint}`;
}

/** `http needs ppx_expect >= v0.17.0 (with-test), which needs ocaml >= 5.1.0 (…): why`. */
export function causeLine(cause: Cause, sharedEnd?: string): string {
  const [first, ...rest] = cause.steps;
  let line = `${cause.target} needs ${requirement(first!)}${cause.testOnly ? " (with-test)" : ""}`;
  let previous = first!.name;
  for (const step of rest) {
    line += `, which needs ${requirement(step)}${versionsText(previous, step.versions)}`;
    previous = step.name;
  }
  return cause.end === "" || cause.end === sharedEnd ? line : `${line}: ${cause.end}`;
}

export interface CauseTextOptions {
  /** Every local target, in order. */
  targets: readonly string[];
  buildOnly: boolean;
  /** `opam-monorepo` or `opam monorepo`. */
  command: string;
}

/** The message (first line, then one line per cause) and the hints; undefined when no cause was found. */
export function causeText(analysis: CauseAnalysis, options: CauseTextOptions): { message: string; hints: string[] } | undefined {
  const { causes } = analysis;
  if (causes.length === 0) return undefined;
  const failing = [...new Set(causes.map((cause) => cause.target))];
  const ends = new Set(causes.map((cause) => cause.end));
  const sharedEnd = ends.size === 1 && causes[0]!.byUser ? causes[0]!.end : undefined;
  const which = options.targets.length === 1 ? failing[0] : `${failing.length} of the ${options.targets.length} local packages (${failing.join(", ")})`;
  const why = sharedEnd === undefined ? "" : `, ${sharedEnd}`;
  const head = `No solution for ${which}: ${failing.length === 1 ? "a direct dependency has" : "direct dependencies have"} no usable version${why}:`;
  const lines = causes.slice(0, MAX_CAUSES).map((cause) => `- ${causeLine(cause, sharedEnd)}`);
  if (causes.length > MAX_CAUSES) lines.push(`- … ${causes.length - MAX_CAUSES} more`);
  lines.push("Run with -v for the solver's full explanation.");
  return { message: [head, ...lines].join("\n"), hints: causeHints(analysis, options, failing) };
}

function causeHints(analysis: CauseAnalysis, options: CauseTextOptions, failing: string[]): string[] {
  const hints: string[] = [];
  const onlyTests = failing.filter((target) => analysis.causes.filter((c) => c.target === target).every((c) => c.testOnly));
  if (!options.buildOnly && onlyTests.length > 0) {
    const who = onlyTests.length === failing.length ? "only with-test dependencies are in the way" : `only with-test dependencies are in the way of ${onlyTests.join(", ")}`;
    hints.push(`${who}: \`--build-only\` leaves them out`);
  }
  const others = options.targets.filter((target) => !failing.includes(target) && analysis.unblocked.includes(target));
  if (others.length > 0 && failing.length < options.targets.length) {
    hints.push(`lock fewer local packages: \`${options.command} lock ${others.join(" ")}\` (and a separate lock file with -l for the others)`);
  }
  return hints;
}

/**
 * `>= 4.08 & >= 4.08.0 & >= 4.08 & < 5.6 & < 5.6.0`: each bound operator kept once with its
 * tightest version (the highest lower bound, the lowest upper bound), repeats dropped, order of
 * first appearance kept; parts that are not a plain `op version` are kept as they are.
 */
export function simplifyConstraint(text: string): string {
  const kept = new Map<string, string>();
  for (const part of text.split(" & ").map((p) => p.trim())) {
    const match = /^(>=|>|<=|<) (\S+)$/.exec(part);
    if (match === null) {
      if (!kept.has(part)) kept.set(part, part);
      continue;
    }
    const [, op, version] = match as unknown as [string, string, string];
    const current = kept.get(op);
    const tighter = current === undefined || (op.startsWith(">") ? compareVersions(version, current) > 0 : compareVersions(version, current) < 0);
    if (tighter) kept.set(op, version);
  }
  return [...kept].map(([key, value]) => (key === value ? key : `${key} ${value}`)).join(" & ");
}
