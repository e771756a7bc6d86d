// The solver context: opam packages from a repository (plus fixed local/pinned packages) turned
// into the solver's candidates, in opam-monorepo's order (§4.3 of the behaviour reference):
// availability, user constraints, dune and cross-compile checks, avoid-version demotion,
// preferred versions, opam-provided removal and same-source conflicts. Pure: no I/O of its own.
import type { Env } from "../opam/env.js";
import { EMPTY, formatVersionFormula, removeNames, versionSatisfies, type PackageFormula, type VersionFormula } from "../opam/formula.js";
import type { OpamPackage } from "../opam/package.js";
import { compareVersions, versionsEqual } from "../opam/version.js";
import type { DerivedStore, Repository } from "../repository/repository.js";
import type { Candidate, Conflict, Implementation, Need, Root, SolverInput } from "./model.js";
import type { Rejection } from "./rejection.js";
import { recordSource, type OfferRecord, type RecordSource } from "./offer-record.js";
import { sameSourceConflicts, type SourceGroup, type SourceOffer } from "./same-source.js";

/** A version restriction given by the user (`--ocaml-version`) or by the first solve's pins. */
export interface UserConstraint {
  versions: VersionFormula;
}

export interface ContextOptions {
  repository: Repository;
  /** Global variables (with OPAMVAR_* overrides already on top). */
  env: Env;
  /** Local packages and pin-depends: the only candidate of their name. */
  fixed: ReadonlyMap<string, OpamPackage>;
  /** Names whose `with-test` dependencies count (the targets, unless --build-only). */
  withTest: ReadonlySet<string>;
  requireDune: boolean;
  requireCrossCompile: boolean;
  allowJbuilder: boolean;
  /** Removed from every candidate's depends (x-opam-monorepo-opam-provided). */
  opamProvided: ReadonlySet<string>;
  /** --minimal-update: the previous lock file's versions, tried first. */
  preferred: ReadonlyMap<string, string>;
  userConstraints: ReadonlyMap<string, UserConstraint>;
  /** opam-monorepo sets `dev` only for versions that are `dev` (explicit repositories). */
  devVersionsOnly: boolean;
  /** Where versions' records are kept between runs (offer-record.ts); none: judged each time. */
  records?: DerivedStore;
}

export interface SolverContext {
  input: SolverInput;
  /** The opam package behind a selected or offered version (decoded again on each call). */
  packageOf(name: string, version: string): OpamPackage | undefined;
}

export function createSolverContext(roots: Root[], options: ContextOptions): SolverContext {
  const sources = new Map<string, SourceGroup>();
  const records = recordSource({ ...options, store: options.records });
  const candidates = (name: string): Candidate[] => {
    const { offers, excluded } = offersOf(name, options, records);
    return [...orderCandidates(name, offers, options, sources), ...excluded];
  };
  // Packages are not kept once their candidates are made (the repository decodes them again):
  // thousands of versions' formulas then die young instead of living as long as the process.
  const packageOf = (name: string, version: string): OpamPackage | undefined => {
    const fixed = options.fixed.get(name);
    if (fixed !== undefined) return fixed.version === version ? fixed : undefined;
    return options.repository.readOpam(name, version);
  };
  return { input: { roots, candidates, compareVersions }, packageOf };
}

/**
 * What ordering a name's candidates needs of one version, derived from its record (the record is
 * kept only when the cross-compile check must see every version before the implementation is
 * built): decoded packages die before the next version is read.
 */
interface Offer extends SourceOffer {
  fixed: boolean;
  available: boolean;
  /** Unavailable, or not built with dune; undefined when usable before the cross-compile check. */
  rejection: Rejection | undefined;
  crossCompileTag: boolean;
  avoided: boolean;
  /** The implementation, without its same-source conflicts (built for usable versions). */
  impl: Implementation | undefined;
  /** Kept instead when only the cross-compile check can tell whether it is needed. */
  record: OfferRecord | undefined;
}

/**
 * The offers of a name's versions, except those a user constraint (`--ocaml-version`, the
 * second solve's pins) excludes: their opam files are never read, they are rejected candidates
 * straight away (in the second solve that is nearly every version of every package).
 */
function offersOf(name: string, options: ContextOptions, records: RecordSource): { offers: Offer[]; excluded: Candidate[] } {
  const constraint = options.userConstraints.get(name);
  const allowed = (version: string) => constraint === undefined || versionSatisfies(version, constraint.versions);
  const excluded: Candidate[] = [];
  let text: string | undefined;
  const exclude = (version: string) => {
    text ??= formatVersionFormula(constraint!.versions);
    excluded.push({ ok: false, name, version, rejection: { kind: "user-constraint", constraint: text } });
  };
  const fixed = options.fixed.get(name);
  if (fixed) {
    if (allowed(fixed.version)) return { offers: [offerOf(name, fixed.version, records.ofFixed(fixed), true, options)], excluded };
    exclude(fixed.version);
    return { offers: [], excluded };
  }
  const offers: Offer[] = [];
  for (const version of options.repository.versions(name)) {
    if (!allowed(version)) {
      exclude(version);
      continue;
    }
    const record = records.of(name, version);
    if (record !== undefined) offers.push(offerOf(name, version, record, false, options));
  }
  return { offers, excluded };
}

/** A version's offer: its model rejection (user constraints are applied before) and what ordering reads. */
function offerOf(name: string, version: string, record: OfferRecord, fixed: boolean, options: ContextOptions): Offer {
  const available = fixed || record.available;
  const notDune = !fixed && options.requireDune && !record.safe && !(record.dune || (options.allowJbuilder && record.jbuilder));
  const rejection: Rejection | undefined = !available ? { kind: "unavailable" } : notDune ? { kind: "not-dune" } : undefined;
  // With --require-cross-compile, an untagged version is rejected if a sibling is tagged.
  const undecided = rejection === undefined && !fixed && options.requireCrossCompile && !record.crossCompileTag;
  return {
    name,
    version,
    fixed,
    available,
    rejection,
    crossCompileTag: record.crossCompileTag,
    avoided: record.avoided,
    source: fixed || rejection !== undefined ? undefined : (record.source ?? undefined),
    impl: rejection === undefined && !undecided ? implementationOf(name, version, record, options) : undefined,
    record: undecided ? record : undefined,
  };
}

function orderCandidates(name: string, offers: readonly Offer[], options: ContextOptions, sources: Map<string, SourceGroup>): Candidate[] {
  const crossCompile = options.requireCrossCompile && offers.some((offer) => offer.available && offer.crossCompileTag);
  const judged = offers.map((offer) => ({
    offer,
    rejection: offer.rejection ?? (crossCompile && !offer.fixed && !offer.crossCompileTag ? ({ kind: "no-cross-compile" } as const) : undefined),
  }));
  const usable = judged.filter((entry) => entry.rejection === undefined).map((entry) => entry.offer);
  const ordered = [...usable.filter((offer) => !offer.avoided), ...usable.filter((offer) => offer.avoided)];
  const preferred = options.preferred.get(name);
  if (preferred !== undefined) {
    const index = ordered.findIndex((offer) => versionsEqual(offer.version, preferred));
    if (index > 0) ordered.unshift(...ordered.splice(index, 1));
  }
  const sourceConflicts = sameSourceConflicts(ordered, sources);
  const accepted: Candidate[] = ordered.map((offer) => {
    const impl = offer.impl ?? implementationOf(offer.name, offer.version, offer.record!, options);
    const more = sourceConflicts.get(offer) ?? [];
    return { ok: true, impl: more.length === 0 ? impl : { ...impl, conflicts: [...impl.conflicts, ...more] } };
  });
  const rejected: Candidate[] = judged
    .filter((entry) => entry.rejection !== undefined)
    .map((entry) => ({ ok: false, name: entry.offer.name, version: entry.offer.version, rejection: entry.rejection! }));
  return [...accepted, ...rejected];
}

/** A usable version's implementation: its record's formulas, opam-provided names removed. */
function implementationOf(name: string, version: string, record: OfferRecord, options: ContextOptions): Implementation {
  const depends = removeNames(record.depends ?? EMPTY, options.opamProvided);
  const conflicts = (record.conflicts ?? []).map(
    (atom): Conflict => ({
      name: atom.name,
      rejects: (candidate: string) => versionSatisfies(candidate, atom.versions),
      constraint: formatVersionFormula(atom.versions),
    }),
  );
  return { name, version, needs: needOf(depends), conflicts, conflictClasses: record.conflictClasses ?? [] };
}

/** A filtered package formula as a solver need. */
export function needOf(formula: PackageFormula): Need {
  switch (formula.kind) {
    case "empty":
      return { kind: "all", needs: [] };
    case "atom": {
      const versions = formula.atom.versions;
      if (versions.kind === "empty") return { kind: "package", name: formula.atom.name, constraint: "" };
      return { kind: "package", name: formula.atom.name, accepts: (v) => versionSatisfies(v, versions), constraint: formatVersionFormula(versions) };
    }
    case "and":
      return { kind: "all", needs: formula.items.map(needOf) };
    case "or":
      return { kind: "any", needs: formula.items.map(needOf) };
  }
}
