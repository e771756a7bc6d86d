// A version as the solver context judges it, as data kept beside the index cache (availability,
// dune check, tags, flags, same-source key, filtered dependencies and conflicts): a warm lock reuses
// it while the global variables its filters read (kept with it) answer the same.
import type { Env, EnvValue } from "../opam/env.js";
import { dependencyFlagsEnv, mergeEnvs, packageEnv } from "../opam/env.js";
import { filterDependencies, formulaAtoms, formulaNames, type PackageAtom, type PackageFormula } from "../opam/formula.js";
import { hasFlag, isAvailable, isSafePackage, type OpamPackage } from "../opam/package.js";
import type { DerivedStore, Repository } from "../repository/repository.js";
import { decodeRecord, encodeRecord } from "./record-codec.js";
import { sourceKeyOf, type SourceKey } from "./same-source.js";

/** The derived-store kind of records; bump the number when what a record holds or means changes. */
export const OFFER_RECORDS = "offers-2";

export interface OfferRecord {
  /** The with-test (2) and dev (1) flags the formulas were filtered under. */
  flags: number;
  /** Each global variable the filters read: [variable, scope ("" for none), answer (null: unknown)]. */
  reads: [string, string, EnvValue | null][];
  available: boolean;
  /** Exempt from the dune check (compiler, skipped build tool, virtual). */
  safe: boolean;
  /** Whether depends or depopts name `dune`, and `jbuilder`. */
  dune: boolean;
  jbuilder: boolean;
  crossCompileTag: boolean;
  avoided: boolean;
  source: SourceKey | null;
  /** Filtered for the platform (opam-provided names not removed yet); absent when unavailable. */
  depends?: PackageFormula;
  conflicts?: PackageAtom[];
  conflictClasses?: string[];
}

/** The four filter_deps flag environments (with-test × dev), built once, indexed by `flags`. */
const FLAG_ENVS: Env[] = [false, true].flatMap((withTest) =>
  [false, true].map((dev) => dependencyFlagsEnv({ build: true, post: true, withTest, withDoc: false, withDevSetup: false, dev })),
);

/** The record of `pkg` under `env`; `flags` as recordFlags gives them. A fixed package always gets its formulas. */
export function recordOf(pkg: OpamPackage, env: Env, flags: number, fixed = false): OfferRecord {
  const reads = new Map<string, [string, string, EnvValue | null]>();
  const recording: Env = (variable, scope) => {
    const answer = env(variable, scope);
    reads.set(`${scope ?? ""}\0${variable}`, [variable, scope ?? "", answer ?? null]);
    return answer;
  };
  const available = isAvailable(pkg, recording);
  // opam-monorepo's dune check reads whether depends or depopts name a package anywhere.
  const mentioned = formulaNames(pkg.depopts, formulaNames(pkg.depends));
  const record: OfferRecord = {
    flags,
    reads: [],
    available,
    safe: isSafePackage(pkg),
    dune: mentioned.has("dune"),
    jbuilder: mentioned.has("jbuilder"),
    crossCompileTag: pkg.tags.includes("cross-compile"),
    avoided: hasFlag(pkg, "avoid-version") || hasFlag(pkg, "deprecated"),
    source: sourceKeyOf(pkg) ?? null,
  };
  if (available || fixed) {
    const filterEnv = mergeEnvs(FLAG_ENVS[flags]!, packageEnv(pkg.name, pkg.version), recording);
    record.depends = filterDependencies(pkg.depends, filterEnv);
    record.conflicts = formulaAtoms(filterDependencies(pkg.conflicts, filterEnv));
    record.conflictClasses = pkg.conflictClass;
  }
  record.reads = [...reads.values()];
  return record;
}

/** The `flags` of a version: with-test for the targets, dev for `dev` versions when asked. */
export function recordFlags(withTest: boolean, dev: boolean): number {
  return (withTest ? 2 : 0) + (dev ? 1 : 0);
}

/** Whether a stored record still holds: same flags, and every variable it read answers the same. */
export function recordHolds(record: OfferRecord, flags: number, env: Env): boolean {
  if (record.flags !== flags) return false;
  for (const [variable, scope, answer] of record.reads) {
    if (!sameValue(env(variable, scope === "" ? undefined : scope) ?? null, answer)) return false;
  }
  return true;
}

function sameValue(a: EnvValue | null, b: EnvValue | null): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  return a.every((item, i) => item === b[i]);
}

/** Where a context gets its versions' records. */
export interface RecordSource {
  /**
   * The record of a repository version: the stored one while it holds, else judged from the opam
   * file (and stored); undefined when the version cannot be read.
   */
  of(name: string, version: string): OfferRecord | undefined;
  /** The record of a local or pinned package (never stored). */
  ofFixed(pkg: OpamPackage): OfferRecord;
}

export interface RecordSourceOptions {
  repository: Pick<Repository, "readOpam" | "readOpamOnce">;
  env: Env;
  withTest: ReadonlySet<string>;
  devVersionsOnly: boolean;
  store: DerivedStore | undefined;
}

export function recordSource(options: RecordSourceOptions): RecordSource {
  // The environment is pure: each variable is asked once however many records read it.
  const answers = new Map<string, EnvValue | undefined>();
  const env: Env = (variable, scope) => {
    const key = `${scope ?? ""}\0${variable}`;
    if (!answers.has(key)) answers.set(key, options.env(variable, scope));
    return answers.get(key);
  };
  const flagsOf = (name: string, version: string) => recordFlags(options.withTest.has(name), options.devVersionsOnly && version === "dev");
  return {
    of(name, version) {
      const flags = flagsOf(name, version);
      const stored = decodeRecord(options.store?.get(name, version));
      if (stored !== undefined && recordHolds(stored, flags, env)) return stored;
      // The record is what is kept: the index need not keep this version's facts for it.
      const pkg = options.repository.readOpamOnce !== undefined ? options.repository.readOpamOnce(name, version) : options.repository.readOpam(name, version);
      if (pkg === undefined) return undefined;
      const record = recordOf(pkg, env, flags);
      options.store?.set(name, version, encodeRecord(record));
      return record;
    },
    ofFixed: (pkg) => recordOf(pkg, env, flagsOf(pkg.name, pkg.version), true),
  };
}
