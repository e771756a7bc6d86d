// What the solver reads of a package, kept in the index cache beside its opam text so that a warm
// lock parses no opam text: the facts are JSON (decoded natively, ~4× faster than parsing), and
// the fields only a lock file or an inspection needs come from parsing the text on first access.
import type { OpamPackage } from "../opam/package.js";

/** Fields stored as facts (everything the solver and its explanations read). */
const FACT_FIELDS = [
  "depends",
  "depopts",
  "conflicts",
  "conflictClass",
  "available",
  "flags",
  "tags",
  "url",
  "devRepo",
  "hasBuild",
  "hasInstall",
  // Not read by the solver, but by every lock file for each locked package: as a fact, a warm
  // lock parses no opam text at all (most packages have none: `[]`).
  "depexts",
] as const satisfies readonly (keyof OpamPackage)[];

/** Fields read from the opam text when first asked for. */
const LAZY_FIELDS = [
  "synopsis",
  "license",
  "homepage",
  "pinDepends",
  "extraSources",
  "xFields",
  "fieldPos",
] as const satisfies readonly (keyof OpamPackage)[];

type Facts = Pick<OpamPackage, (typeof FACT_FIELDS)[number]>;
type Lazy = Pick<OpamPackage, (typeof LAZY_FIELDS)[number]>;

// Every field is one or the other (name, version and file come from the entry).
type Covered = (typeof FACT_FIELDS)[number] | (typeof LAZY_FIELDS)[number] | "name" | "version" | "file";
const everyFieldCovered: Exclude<keyof OpamPackage, Covered> extends never ? true : never = true;
void everyFieldCovered;

/** The facts of a parsed package, as JSON. */
export function encodeFacts(pkg: OpamPackage): string {
  const facts: Partial<Facts> = {};
  for (const field of FACT_FIELDS) (facts as Record<string, unknown>)[field] = pkg[field];
  return JSON.stringify(facts);
}

const FULL = Symbol("full package");

interface LazyHolder {
  [FULL]: () => OpamPackage;
}

/** Replaces the lazy accessors of `pkg` by the fields of the fully parsed package. */
function materialise(pkg: LazyHolder): Lazy {
  const full = pkg[FULL]();
  for (const field of LAZY_FIELDS) Object.defineProperty(pkg, field, { value: full[field], writable: true, enumerable: true, configurable: true });
  return full;
}

// Shared accessors (one set for every package): own and enumerable, so the package reads and
// compares like a parsed one; each replaces itself and its siblings by plain fields on first use.
const LAZY_ACCESSORS: PropertyDescriptorMap = Object.fromEntries(
  LAZY_FIELDS.map((field) => [
    field,
    {
      get(this: LazyHolder) {
        return materialise(this)[field];
      },
      enumerable: true,
      configurable: true,
    },
  ]),
);

/**
 * The package behind stored facts; `full` parses its opam text (the same text the facts came
 * from) when a lazy field is first read. Throws when the JSON is not valid (a corrupt entry).
 */
export function packageFromFacts(name: string, version: string, file: string, json: string, full: () => OpamPackage): OpamPackage {
  return factsPackage(name, version, file, JSON.parse(json) as Facts, full);
}

function factsPackage(name: string, version: string, file: string, facts: Facts, full: () => OpamPackage): OpamPackage {
  // Spelled out: every package gets the same shape, and fields JSON dropped (undefined) are back.
  const pkg = {
    name,
    version,
    file,
    depends: facts.depends,
    depopts: facts.depopts,
    conflicts: facts.conflicts,
    conflictClass: facts.conflictClass,
    available: facts.available,
    flags: facts.flags,
    tags: facts.tags,
    url: facts.url,
    devRepo: facts.devRepo,
    hasBuild: facts.hasBuild,
    hasInstall: facts.hasInstall,
    depexts: facts.depexts,
  } satisfies Facts & Pick<OpamPackage, "name" | "version" | "file"> as OpamPackage & LazyHolder;
  Object.defineProperty(pkg, FULL, { value: full, enumerable: false });
  Object.defineProperties(pkg, LAZY_ACCESSORS);
  return pkg;
}
