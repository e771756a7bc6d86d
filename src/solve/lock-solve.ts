// The solve `lock` runs (§4.1, §4.6 of the behaviour reference): the request (targets plus
// ocaml-base-compiler), then a second solve when opam-provided packages exist, and the split
// into vendored and opam-provided packages. Pure: repositories are already open.
import { InternalError } from "../core/errors.js";
import type { Env } from "../opam/env.js";
import { atom, formulaNames, type VersionFormula } from "../opam/formula.js";
import type { OpamPackage } from "../opam/package.js";
import type { DerivedStore, Repository } from "../repository/repository.js";
import { createSolverContext, type ContextOptions, type UserConstraint } from "./context.js";
import { OFFER_RECORDS } from "./offer-record.js";
import type { Diagnostics, Implementation, Requirement, Root, SolveStats, SolverInput } from "./model.js";
import { solve } from "./solver.js";
import { compareOpamNames } from "../opam/names.js";

/** Local packages depending on one of these keep the compiler choice open (§4.1). */
const COMPILER_CHOICE_PACKAGES: ReadonlySet<string> = new Set([
  "ocaml-variants",
  "ocaml-option-32bit",
  "ocaml-option-afl",
  "ocaml-option-bytecode-only",
  "ocaml-option-default-unsafe-string",
  "ocaml-option-flambda",
  "ocaml-option-fp",
  "ocaml-option-musl",
  "ocaml-option-nnp",
  "ocaml-option-nnpchecker",
  "ocaml-option-no-flat-float-array",
  "ocaml-option-spacetime",
  "ocaml-option-static",
  "ocaml-options-only-afl",
  "ocaml-options-only-flambda",
  "ocaml-options-only-flambda-fp",
  "ocaml-options-only-fp",
  "ocaml-options-only-nnp",
  "ocaml-options-only-nnpchecker",
  "ocaml-options-only-no-flat-float-array",
]);

export interface LockSolveRequest {
  repository: Repository;
  env: Env;
  /** Every local package (at its local version) and every pin-depends package. */
  locals: readonly OpamPackage[];
  pins: readonly OpamPackage[];
  targets: readonly string[];
  buildOnly: boolean;
  allowJbuilder: boolean;
  requireCrossCompile: boolean;
  ocamlVersion: string | undefined;
  opamProvided: ReadonlySet<string>;
  preferred: ReadonlyMap<string, string>;
  devVersionsOnly: boolean;
  /** `Date.now()` after which solving stops with SolverTimeout (solve/model.ts). */
  deadline?: number;
}

export interface LockedPackage {
  package: OpamPackage;
  vendored: boolean;
  pinned: boolean;
}

export type LockSolveResult =
  | { ok: true; packages: LockedPackage[]; requiredBy: Map<string, Requirement[]>; stats: SolveStats[] }
  /** `input`: what the failing pass solved, for the failure explanation (explain-cause.ts). */
  | { ok: false; phase: "dune" | "opam-provided"; diagnostics: Diagnostics; stats: SolveStats[]; input: SolverInput };

/**
 * The request as opam-monorepo's `mk_request` builds it: `ocaml-base-compiler` FIRST (unless a
 * local package picks a compiler variant), then the targets in name order. The order matters: the
 * solver gives the first root its best version first, so the compiler's avoid-version demotion
 * (betas) decides the OCaml version before a target's `ocaml` dependency can pick the newest.
 */
export function lockRoots(request: Pick<LockSolveRequest, "targets" | "locals">): Root[] {
  const roots: Root[] = [...request.targets].sort(compareOpamNames).map((name) => ({ name }));
  const choosesCompiler = request.locals.some((pkg) => [...formulaNames(pkg.depends)].some((name) => COMPILER_CHOICE_PACKAGES.has(name)));
  if (!choosesCompiler) roots.unshift({ name: "ocaml-base-compiler" });
  return roots;
}

function equalTo(version: string): UserConstraint {
  const versions: VersionFormula = atom({ op: "=", version });
  return { versions };
}

function contextOptions(
  request: LockSolveRequest,
  pass: "dune" | "opam-provided",
  pinnedVersions: Map<string, string>,
  records: DerivedStore | undefined,
): ContextOptions {
  const fixed = new Map<string, OpamPackage>();
  for (const pkg of [...request.pins, ...request.locals]) fixed.set(pkg.name, pkg);
  const userConstraints = new Map<string, UserConstraint>();
  if (request.ocamlVersion !== undefined) userConstraints.set("ocaml", equalTo(request.ocamlVersion));
  for (const [name, version] of pinnedVersions) userConstraints.set(name, equalTo(version));
  return {
    repository: request.repository,
    env: request.env,
    fixed,
    withTest: new Set(request.buildOnly ? [] : request.targets),
    requireDune: pass === "dune",
    requireCrossCompile: pass === "dune" && request.requireCrossCompile,
    allowJbuilder: request.allowJbuilder,
    opamProvided: pass === "dune" ? request.opamProvided : new Set(),
    preferred: request.preferred,
    userConstraints,
    devVersionsOnly: request.devVersionsOnly,
    records,
  };
}

function runPass(request: LockSolveRequest, pass: "dune" | "opam-provided", pinnedVersions: Map<string, string>, records: DerivedStore | undefined) {
  const context = createSolverContext(lockRoots(request), contextOptions(request, pass, pinnedVersions, records));
  return { result: solve({ ...context.input, deadline: request.deadline }), context };
}

/** Solve, and when opam-provided packages exist, solve again with them to see what opam installs. */
export function solveLock(request: LockSolveRequest): LockSolveResult {
  const localNames = new Set(request.locals.map((pkg) => pkg.name));
  const pinNames = new Set(request.pins.map((pkg) => pkg.name));
  // Both passes judge versions alike (the options they differ in apply to the records).
  const records = request.repository.derived?.(OFFER_RECORDS);
  const first = runPass(request, "dune", new Map(), records);
  if (!first.result.ok) return { ok: false, phase: "dune", diagnostics: first.result.diagnostics, stats: [first.result.stats], input: first.context.input };
  const vendorable = new Map<string, string>();
  for (const [name, impl] of first.result.selection) if (!localNames.has(name)) vendorable.set(name, impl.version);
  let final = first;
  const stats = [first.result.stats];
  if (request.opamProvided.size > 0) {
    final = runPass(request, "opam-provided", vendorable, records);
    stats.push(final.result.stats);
    if (!final.result.ok) return { ok: false, phase: "opam-provided", diagnostics: final.result.diagnostics, stats, input: final.context.input };
  }
  if (!final.result.ok) throw new InternalError("the final solve failed after a success");
  const packages: LockedPackage[] = [];
  for (const [name, impl] of final.result.selection) {
    if (localNames.has(name)) continue;
    const pkg = packageOfSelection(final.context.packageOf, impl);
    packages.push({ package: pkg, vendored: vendorable.has(name) && !request.opamProvided.has(name), pinned: pinNames.has(name) });
  }
  return { ok: true, packages, requiredBy: final.result.requiredBy, stats };
}

function packageOfSelection(packageOf: (name: string, version: string) => OpamPackage | undefined, impl: Implementation): OpamPackage {
  const pkg = packageOf(impl.name, impl.version);
  if (!pkg) throw new InternalError(`solver selected ${impl.name}.${impl.version}, which the context never offered`);
  return pkg;
}
