// The typed package model: one pass over an opam file's items (opamFile.ml's OPAM fields, read by
// package-fields.ts) into plain data (v8-serialisable), plus the opam-monorepo predicates on it
// (availability, dune check, virtual/safe). Bad shapes throw OPAM_FIELD errors.
import type { Item, OpamFile, Pos, Value } from "./ast.js";
import { mergeEnvs, packageEnv, type Env } from "./env.js";
import { fieldError, filterFromValues, filterHolds, type Filter } from "./filter.js";
import {
  EMPTY,
  formulaNames,
  parseConflictClass,
  parseDepends,
  parseDisjunction,
  type FilteredPackageFormula,
} from "./formula.js";
import {
  commandCount,
  expectString,
  items1,
  parseDepexts,
  parseFlags,
  parsePinDepends,
  parseUrlSection,
  stringList,
  urlOf,
  type Depext,
  type ExtraSource,
  type PinDepend,
  type UrlSection,
} from "./package-fields.js";
import type { OpamUrl } from "./url.js";

export type { Depext, ExtraSource, PinDepend, UrlSection } from "./package-fields.js";

export type PackageFlag = "light-uninstall" | "verbose" | "plugin" | "compiler" | "conf" | "avoid-version" | "deprecated";

const KNOWN_FLAGS: ReadonlySet<string> = new Set<PackageFlag>(["light-uninstall", "verbose", "plugin", "compiler", "conf", "avoid-version", "deprecated"]);

export interface OpamPackage {
  /** From the directory (authoritative), not from a `name:` field. */
  name: string;
  version: string;
  /** The file it was read from (for messages). */
  file: string;
  depends: FilteredPackageFormula;
  depopts: FilteredPackageFormula;
  conflicts: FilteredPackageFormula;
  conflictClass: string[];
  /** Undefined when the field is absent (= available). */
  available: Filter | undefined;
  /** Known flags from `flags:` and `flags:xxx` tags; unknown flags are dropped, as opam does. */
  flags: PackageFlag[];
  tags: string[];
  synopsis: string | undefined;
  /** `license:` strings (for SBOMs; read leniently: values that are not strings are skipped). */
  license?: string[];
  /** `homepage:` strings, read as leniently. */
  homepage?: string[];
  url: UrlSection | undefined;
  devRepo: OpamUrl | undefined;
  /** Whether `build:` / `install:` hold at least one command (before filtering, as opam counts them). */
  hasBuild: boolean;
  hasInstall: boolean;
  depexts: Depext[];
  pinDepends: PinDepend[];
  extraSources: ExtraSource[];
  /** `x-…` fields, verbatim; the last of duplicates wins. */
  xFields: Map<string, Value>;
  /** Position of every top-level field and section (`url`, `extra-source NAME`). */
  fieldPos: Map<string, Pos>;
}

// ---- The model -----------------------------------------------------------------------------------

/** Fields whose duplicates opam reports ("Duplicate field") and ignores (the first wins); x- fields are last-wins. */
const SINGLE_FIELDS: ReadonlySet<string> = new Set([
  "depends",
  "depopts",
  "conflicts",
  "conflict-class",
  "available",
  "flags",
  "tags",
  "synopsis",
  "dev-repo",
  "build",
  "install",
  "depexts",
  "pin-depends",
]);

function readField(pkg: OpamPackage, item: Extract<Item, { kind: "field" }>, rawFlags: string[]): void {
  const ctx = { file: pkg.file, field: item.name };
  // opam keeps the first of duplicated fields ("Duplicate field dev-repo … has been ignored").
  if (SINGLE_FIELDS.has(item.name) && pkg.fieldPos.has(item.name)) return;
  pkg.fieldPos.set(item.name, item.pos);
  const value = item.value;
  switch (item.name) {
    case "depends":
      return void (pkg.depends = parseDepends(value, ctx));
    case "depopts":
      return void (pkg.depopts = parseDisjunction(value, ctx));
    case "conflicts":
      return void (pkg.conflicts = parseDisjunction(value, ctx));
    case "conflict-class":
      return void (pkg.conflictClass = parseConflictClass(value, ctx));
    case "available":
      return void (pkg.available = filterFromValues(items1(value), ctx, item.pos));
    case "flags":
      return void rawFlags.push(...parseFlags(value, ctx));
    case "tags":
      return void (pkg.tags = stringList(value, ctx));
    case "synopsis":
      return void (pkg.synopsis = expectString(value, ctx).trim());
    case "dev-repo":
      return void (pkg.devRepo = urlOf(value, ctx, undefined));
    case "license":
      return void (pkg.license = looseStrings(value));
    case "homepage":
      return void (pkg.homepage = looseStrings(value));
    case "build":
      return void (pkg.hasBuild = commandCount(value, ctx) > 0);
    case "install":
      return void (pkg.hasInstall = commandCount(value, ctx) > 0);
    case "depexts":
      return void (pkg.depexts = parseDepexts(value, ctx));
    case "pin-depends":
      return void (pkg.pinDepends = parsePinDepends(value, ctx));
    default:
      if (item.name.startsWith("x-")) pkg.xFields.set(item.name, value);
  }
}

/** The strings of a string or a list of strings; anything else is skipped (informational fields never fail a package). */
function looseStrings(value: Value): string[] {
  const items = value.kind === "list" ? value.items : [value];
  return items.flatMap((item) => (item.kind === "string" ? [item.value] : []));
}

function readSection(pkg: OpamPackage, item: Extract<Item, { kind: "section" }>): void {
  if (item.section !== "url" && item.section !== "extra-source") return;
  const key = item.label === undefined ? item.section : `${item.section} ${item.label}`;
  const ctx = { file: pkg.file, field: key };
  if (pkg.fieldPos.has(key)) return; // the first wins, as for fields
  pkg.fieldPos.set(key, item.pos);
  if (item.section === "url") {
    if (item.label !== undefined) throw fieldError(ctx, item.pos, "unexpected section title");
    pkg.url = parseUrlSection(item.items, pkg.file, "url", item.pos);
    return;
  }
  if (item.label === undefined) throw fieldError(ctx, item.pos, "missing the file name: extra-source \"NAME\" { … }");
  pkg.extraSources.push({ name: item.label, ...parseUrlSection(item.items, pkg.file, `extra-source "${item.label}"`, item.pos) });
}

/**
 * The typed view of one opam file. `name`/`version` come from the directory
 * (`packages/<name>/<name>.<version>/opam`), which wins over `name:`/`version:` fields.
 */
export function packageFromOpam(file: OpamFile, name: string, version: string): OpamPackage {
  const pkg: OpamPackage = {
    name,
    version,
    file: file.file,
    depends: EMPTY,
    depopts: EMPTY,
    conflicts: EMPTY,
    conflictClass: [],
    available: undefined,
    flags: [],
    tags: [],
    synopsis: undefined,
    url: undefined,
    devRepo: undefined,
    hasBuild: false,
    hasInstall: false,
    depexts: [],
    pinDepends: [],
    extraSources: [],
    xFields: new Map(),
    fieldPos: new Map(),
  };
  const rawFlags: string[] = [];
  for (const item of file.items) {
    if (item.kind === "field") readField(pkg, item, rawFlags);
    else readSection(pkg, item);
  }
  for (const tag of pkg.tags) if (tag.startsWith("flags:")) rawFlags.push(tag.slice(6));
  pkg.flags = [...new Set(rawFlags.filter((f) => KNOWN_FLAGS.has(f)))] as PackageFlag[];
  return pkg;
}

// ---- Predicates ----------------------------------------------------------------------------------

export function packageId(pkg: Pick<OpamPackage, "name" | "version">): string {
  return `${pkg.name}.${pkg.version}`;
}

export function hasFlag(pkg: OpamPackage, flag: PackageFlag): boolean {
  return pkg.flags.includes(flag);
}

/**
 * `available:` under `env` (plus the package's own name/version): absent = true; false,
 * undefined or a non-boolean result = unavailable.
 */
export function isAvailable(pkg: OpamPackage, env: Env): boolean {
  if (pkg.available === undefined) return true;
  return filterHolds(pkg.available, mergeEnvs(env, packageEnv(pkg.name, pkg.version)));
}

/** opam-monorepo's dune check: `dune` (or `jbuilder`) named anywhere in depends or depopts. */
export function dependsOnDune(pkg: OpamPackage, allowJbuilder = false): boolean {
  const names = formulaNames(pkg.depopts, formulaNames(pkg.depends));
  return names.has("dune") || (allowJbuilder && names.has("jbuilder"));
}

/** No url, or `conf` without a dev-repo, or neither build nor install commands (opam-monorepo ≥ 0.4). */
export function isVirtual(pkg: OpamPackage): boolean {
  if (pkg.url === undefined) return true;
  if (hasFlag(pkg, "conf") && (pkg.devRepo === undefined || pkg.devRepo.raw.trim() === "")) return true;
  return !pkg.hasBuild && !pkg.hasInstall;
}

/** Names opam-monorepo treats as the compiler itself. */
export const COMPILER_PACKAGE_NAMES: readonly string[] = ["ocaml", "ocaml-compiler"];

/** Build tools opam-monorepo never vendors. */
export const SKIPPED_PACKAGE_NAMES: readonly string[] = ["jbuilder", "dune", "ocamlbuild", "ocamlmod", "oasis", "ocamlify"];

/** Never vendored and exempt from the dune check: compiler flag or name, skip list, or virtual. */
export function isSafePackage(pkg: OpamPackage): boolean {
  return (
    hasFlag(pkg, "compiler") || COMPILER_PACKAGE_NAMES.includes(pkg.name) || SKIPPED_PACKAGE_NAMES.includes(pkg.name) || isVirtual(pkg)
  );
}
