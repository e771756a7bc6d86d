// Records of versions (offer-record.ts) as compact JSON, formulas in their exact shape: empty 0, a
// package atom its name (any version) or [name, versions], a version atom [op, version], a
// conjunction {"&": items}, a disjunction {"|": items}.
import type { EnvValue } from "../opam/env.js";
import type { RelOp } from "../opam/ast.js";
import type { Formula, PackageAtom, VersionConstraint, VersionFormula } from "../opam/formula.js";
import type { OfferRecord } from "./offer-record.js";

type Compact<A> = 0 | A | { "&": Compact<A>[] } | { "|": Compact<A>[] };
type CompactPackage = string | [string, Compact<[RelOp, string]>];

type Stored = [
  flags: number,
  reads: [string, string, EnvValue | null][],
  bits: number,
  source: [string, ...string[]] | 0,
  depends: Compact<CompactPackage> | null,
  conflicts: CompactPackage[] | null,
  conflictClasses: string[] | null,
];

const BITS = ["available", "safe", "dune", "jbuilder", "crossCompileTag", "avoided"] as const;
/** The bit of each of those fields in a stored record, from its place in BITS. */
const BIT = Object.fromEntries(BITS.map((field, i) => [field, 1 << i])) as Record<(typeof BITS)[number], number>;

export function encodeRecord(record: OfferRecord): string {
  let bits = 0;
  BITS.forEach((field) => (bits |= record[field] ? BIT[field] : 0));
  const stored: Stored = [
    record.flags,
    record.reads,
    bits,
    record.source === null ? 0 : [record.source.devRepo, ...record.source.checksums],
    record.depends === undefined ? null : encodeFormula(record.depends, encodePackage),
    record.conflicts === undefined ? null : record.conflicts.map(encodePackage),
    record.conflictClasses ?? null,
  ];
  return JSON.stringify(stored);
}

/** The record of `text`; undefined when it is not one (the store is a cache: judge again). */
export function decodeRecord(text: string | undefined): OfferRecord | undefined {
  if (text === undefined) return undefined;
  try {
    return recordOfStored(JSON.parse(text) as Stored);
  } catch {
    // Not JSON, or not the shape a record is written in (a formula that is not one, …).
    return undefined;
  }
}

function recordOfStored(stored: Stored): OfferRecord | undefined {
  if (!Array.isArray(stored) || stored.length !== 7) return undefined;
  const [flags, reads, bits, source, depends, conflicts, conflictClasses] = stored;
  if (typeof flags !== "number" || typeof bits !== "number" || !Array.isArray(reads) || !reads.every(isRead)) return undefined;
  if (!(source === 0 || (Array.isArray(source) && source.every((text) => typeof text === "string")))) return undefined;
  if (!(conflictClasses === null || (Array.isArray(conflictClasses) && conflictClasses.every((text) => typeof text === "string")))) return undefined;
  const record: OfferRecord = {
    flags,
    reads,
    available: (bits & BIT.available) !== 0,
    safe: (bits & BIT.safe) !== 0,
    dune: (bits & BIT.dune) !== 0,
    jbuilder: (bits & BIT.jbuilder) !== 0,
    crossCompileTag: (bits & BIT.crossCompileTag) !== 0,
    avoided: (bits & BIT.avoided) !== 0,
    source: source === 0 ? null : { devRepo: source[0], checksums: source.slice(1) },
  };
  if (depends !== null) record.depends = decodeFormula(depends, decodePackage);
  if (conflicts !== null) record.conflicts = conflicts.map(decodePackage);
  if (conflictClasses !== null) record.conflictClasses = conflictClasses;
  return record;
}

function isRead(read: unknown): boolean {
  return Array.isArray(read) && read.length === 3 && typeof read[0] === "string" && typeof read[1] === "string";
}

function encodeFormula<A, C>(formula: Formula<A>, atom: (value: A) => C): Compact<C> {
  switch (formula.kind) {
    case "empty":
      return 0;
    case "atom":
      return atom(formula.atom);
    case "and":
      return { "&": formula.items.map((item) => encodeFormula(item, atom)) };
    case "or":
      return { "|": formula.items.map((item) => encodeFormula(item, atom)) };
  }
}

/** Throws on what is not a formula written by encodeFormula (decodeRecord then has no record). */
function decodeFormula<A, C>(compact: Compact<C>, atom: (value: C) => A): Formula<A> {
  if (compact === 0) return { kind: "empty" };
  if (typeof compact === "object" && compact !== null && !Array.isArray(compact)) {
    const and = (compact as { "&"?: Compact<C>[] })["&"];
    if (and !== undefined) return { kind: "and", items: and.map((item) => decodeFormula(item, atom)) };
    return { kind: "or", items: (compact as { "|": Compact<C>[] })["|"].map((item) => decodeFormula(item, atom)) };
  }
  return { kind: "atom", atom: atom(compact as C) };
}

function encodePackage(atom: PackageAtom): CompactPackage {
  return atom.versions.kind === "empty" ? atom.name : [atom.name, encodeFormula(atom.versions, (c: VersionConstraint): [RelOp, string] => [c.op, c.version])];
}

function decodePackage(compact: CompactPackage): PackageAtom {
  if (typeof compact === "string") return { name: compact, versions: { kind: "empty" } };
  if (!Array.isArray(compact) || typeof compact[0] !== "string") throw new Error("not a package atom");
  const versions: VersionFormula = decodeFormula(compact[1], decodeConstraint);
  return { name: compact[0], versions };
}

function decodeConstraint(compact: [RelOp, string]): VersionConstraint {
  if (!Array.isArray(compact) || typeof compact[0] !== "string" || typeof compact[1] !== "string") throw new Error("not a version constraint");
  return { op: compact[0], version: compact[1] };
}

