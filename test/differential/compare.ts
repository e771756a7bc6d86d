// A lock request of the differential corpus as a project, and its classification: both tools lock
// it in sibling directories; a documented difference (README "How it differs") is checked by
// running the reference once more on the neutralised input, which must give ours byte for byte.
import path from "node:path";
import { detectHostFacts, platformVariables } from "../../src/opam/env.js";
import { realSnapshotDirs } from "../helpers/real-dirs.js";
import { firstDifference, firstError, runOurs, runReference, withoutFields, type Project, type RunResult, type Sandbox } from "./harness.js";

export type RepoKey = "mirage" | "overlays" | "repository";

/** The README's "How it differs" entries a corpus request may show. */
export type DifferenceId = "S1" | "S2" | "S6";

export interface LockRequest {
  id: string;
  /** The items of the local package `app`'s depends, as opam text. */
  depends: string[];
  /** More fields of app.opam, verbatim. */
  extra?: string;
  args?: string[];
  env?: Record<string, string>;
  /** Default: overlays then opam-repository. */
  repos?: RepoKey[];
  /** fixed: x-opam-monorepo-global-opam-vars pinned (default); host: none (the machine's). */
  vars?: "fixed" | "host" | Record<string, string>;
  /** No dune-project at the root. */
  noDuneProject?: boolean;
  /** More project files. */
  files?: Record<string, string>;
  /** The lock file written, relative to the project (default app.opam.locked). */
  lockfile?: string;
  /** Part of the `npm test` subset. */
  ci?: boolean;
  /** A failing request whose first [ERROR] line must agree (DESIGN keeps the reference's message). */
  sameError?: boolean;
  difference?: { id: DifferenceId; neutralise: (request: LockRequest) => Promise<LockRequest> | LockRequest; strip?: string[] };
}

export const FIXED_VARS: Record<string, string> = { arch: "x86_64", os: "linux", "os-family": "debian", "os-distribution": "debian", "os-version": "12" };

function varsField(vars: Record<string, string>): string {
  return `x-opam-monorepo-global-opam-vars: [${Object.entries(vars).map(([name, value]) => `["${name}" "${value}"]`).join(" ")}]`;
}

function repositoriesField(keys: readonly RepoKey[]): string {
  const dirs = realSnapshotDirs();
  if (dirs === undefined) throw new Error("the shared snapshots are absent");
  const dirOf = { mirage: dirs.mirageOverlays, overlays: dirs.overlays, repository: dirs.repository };
  return `x-opam-monorepo-opam-repositories: [${keys.map((key) => `"file://${dirOf[key]}"`).join(" ")}]`;
}

/** The project files of a request: dune-project and app.opam. */
export function projectOf(request: LockRequest): Project {
  const vars = request.vars ?? "fixed";
  const lines = [
    'opam-version: "2.0"',
    `depends: [\n${request.depends.map((item) => `  ${item}`).join("\n")}\n]`,
    repositoriesField(request.repos ?? ["overlays", "repository"]),
    ...(vars === "host" ? [] : [varsField(vars === "fixed" ? FIXED_VARS : vars)]),
    ...(request.extra === undefined ? [] : [request.extra]),
  ];
  const files: Record<string, string> = { ...request.files, "app.opam": `${lines.join("\n")}\n` };
  if (!request.noDuneProject) files["dune-project"] = "(lang dune 3.0)\n";
  return { files, args: request.args ?? [], env: request.env ?? {}, lockfile: request.lockfile ?? "app.opam.locked" };
}

/** This machine's global variables as both tools poll them, plus opam-version (S1's neutralisation). */
export async function hostVars(): Promise<Record<string, string>> {
  return { ...platformVariables(await detectHostFacts({})), "opam-version": "2.3.0" };
}

export type Verdict =
  | { kind: "identical" }
  | { kind: "documented"; id: DifferenceId }
  | { kind: "both-fail"; code: number | null; error: string | undefined }
  | { kind: "differ"; reason: string };

export interface Outcome {
  id: string;
  verdict: Verdict;
  reference: RunResult;
  ours: RunResult;
}

function failureVerdict(request: LockRequest, reference: RunResult, ours: RunResult): Verdict {
  if (reference.code !== ours.code) return { kind: "differ", reason: `exit codes: reference ${reference.code}, ours ${ours.code}` };
  const [refError, ourError] = [firstError(reference.stderr), firstError(ours.stderr)];
  if (request.sameError && refError !== ourError) return { kind: "differ", reason: `first error: reference ${JSON.stringify(refError)} / ours ${JSON.stringify(ourError)}` };
  return { kind: "both-fail", code: ours.code, error: ourError };
}

async function documentedVerdict(request: LockRequest, dir: string, reference: RunResult, ours: RunResult): Promise<Verdict> {
  const difference = request.difference!;
  if (ours.code !== 0 || ours.lock === undefined) return { kind: "differ", reason: `ours failed: ${firstError(ours.stderr)}` };
  if (reference.code === 0 && reference.lock === ours.lock) return { kind: "differ", reason: `${difference.id} is documented here but both locks are identical` };
  const neutral = await runReference(path.join(dir, "reference-neutralised"), projectOf(await difference.neutralise(request)));
  if (neutral.code !== 0 || neutral.lock === undefined) return { kind: "differ", reason: `the neutralised reference run failed: ${firstError(neutral.stderr)}` };
  const strip = difference.strip ?? [];
  const [expected, got] = [withoutFields(neutral.lock, strip), withoutFields(ours.lock!, strip)];
  if (expected !== got) return { kind: "differ", reason: `${difference.id}: ours differs from the neutralised reference: ${firstDifference(expected, got)}` };
  return { kind: "documented", id: difference.id };
}

/** Lock `request` with both tools under `dir` and classify the outcome. */
export async function compareLock(request: LockRequest, dir: string, sandbox: Sandbox): Promise<Outcome> {
  const project = projectOf(request);
  const reference = await runReference(path.join(dir, "reference"), project);
  const ours = await runOurs(path.join(dir, "ours"), project, sandbox);
  const outcome = (verdict: Verdict): Outcome => ({ id: request.id, verdict, reference, ours });
  if (request.difference !== undefined) return outcome(await documentedVerdict(request, dir, reference, ours));
  if (reference.code !== 0 || ours.code !== 0) {
    if (reference.code === 0 || ours.code === 0) {
      const failing = reference.code === 0 ? `ours (${firstError(ours.stderr)})` : `the reference (${firstError(reference.stderr)})`;
      return outcome({ kind: "differ", reason: `only ${failing} failed` });
    }
    return outcome(failureVerdict(request, reference, ours));
  }
  if (reference.lock === ours.lock) return outcome({ kind: "identical" });
  return outcome({ kind: "differ", reason: firstDifference(reference.lock ?? "", ours.lock ?? "") });
}

/** `N requests: A identical, B documented differences, C both fail, D differ`. */
export function countsLine(outcomes: readonly Outcome[]): string {
  const count = (kind: Verdict["kind"]) => outcomes.filter((outcome) => outcome.verdict.kind === kind).length;
  return `${outcomes.length} requests: ${count("identical")} identical, ${count("documented")} documented differences, ${count("both-fail")} both fail, ${count("differ")} differ`;
}
