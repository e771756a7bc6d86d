// The typed package model: one pass over an opam file's items (opamFile.ml's OPAM fields with
// their list-depth coercions) into plain data (v8-serialisable), plus the opam-monorepo
// predicates on it (availability, dune check, virtual/safe). Bad shapes throw OPAM_FIELD errors.
import type { Item, OpamFile, Pos, Value } from "./ast.js";
import { parseChecksum, type Checksum } from "./checksum.js";
import { mergeEnvs, packageEnv, type Env } from "./env.js";
import { describeValue, fieldError, filterFromValues, filterHolds, type FieldContext, type Filter } from "./filter.js";
import {
  EMPTY,
  formulaNames,
  isValidPackageName,
  parseConflictClass,
  parseDepends,
  parseDisjunction,
  type FilteredPackageFormula,
} from "./formula.js";
import { parseUrl, type OpamUrl, type UrlBackend } from "./url.js";
import { isValidVersion } from "./version.js";

export type PackageFlag = "light-uninstall" | "verbose" | "plugin" | "compiler" | "conf" | "avoid-version" | "deprecated";

const KNOWN_FLAGS: ReadonlySet<string> = new Set<PackageFlag>(["light-uninstall", "verbose", "plugin", "compiler", "conf", "avoid-version", "deprecated"]);

/** A `url { … }` section. */
export interface UrlSection {
  src: OpamUrl;
  checksums: Checksum[];
  mirrors: OpamUrl[];
  subpath: string | undefined;
  pos: Pos;
}

/** An `extra-source "NAME" { … }` section: a file saved at NAME before patching. */
export interface ExtraSource extends UrlSection {
  name: string;
}

export interface Depext {
  /** System package names installed together. */
  packages: string[];
  /** Undefined = always. */
  filter: Filter | undefined;
}

export interface PinDepend {
  /** `name.version` as written. */
  id: string;
  name: string;
  version: string;
  url: OpamUrl;
  pos: Pos;
}

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

// ---- Value shapes --------------------------------------------------------------------------------

function expectString(value: Value, ctx: FieldContext, what = "a string"): string {
  if (value.kind !== "string") throw fieldError(ctx, value.pos, `expected ${what}, found ${describeValue(value)}`);
  return value.value;
}

/** opam's list_depth: how many list levels lead to the first leaf (options are transparent). */
function listDepth(value: Value): number {
  if (value.kind === "option") return listDepth(value.value);
  if (value.kind !== "list") return 0;
  return value.items.length === 0 ? 1 : 1 + listDepth(value.items[0]!);
}

/** The elements of a depth-1 list field (a bare element is a one-element list). */
function items1(value: Value): readonly Value[] {
  return value.kind === "list" ? value.items : [value];
}

/** The elements of a list field of `depth` levels, missing levels added (`["make"]` = `[["make"]]`). */
function itemsAtDepth(value: Value, depth: number, ctx: FieldContext): readonly Value[] {
  let wrapped = value;
  for (let missing = depth - listDepth(value); missing > 0; missing--) wrapped = { kind: "list", items: [wrapped], pos: value.pos };
  if (wrapped.kind !== "list") throw fieldError(ctx, value.pos, `expected a list, found ${describeValue(value)}`);
  return wrapped.items;
}

function items2(value: Value, ctx: FieldContext): readonly Value[] {
  return itemsAtDepth(value, 2, ctx);
}

function stringList(value: Value, ctx: FieldContext, what?: string): string[] {
  return items1(value).map((item) => expectString(item, ctx, what));
}

// ---- Fields --------------------------------------------------------------------------------------

function parseFlags(value: Value, ctx: FieldContext): string[] {
  return items1(value).map((item) => {
    if (item.kind !== "ident") throw fieldError(ctx, item.pos, `expected a flag identifier, found ${describeValue(item)}`);
    return item.name;
  });
}

/** `[["pkg" …] {filter} …]`; opam 1.2's `[[["tag" …] ["pkg" …]] …]` as a fallback. */
function parseDepexts(value: Value, ctx: FieldContext): Depext[] {
  try {
    return items2(value, ctx).map((item) => {
      const [list, options] = item.kind === "option" ? [item.value, item.options] : [item, []];
      if (list.kind !== "list") throw fieldError(ctx, list.pos, `expected [ "system-package" … ] {filter}, found ${describeValue(list)}`);
      const packages = list.items.map((p) => expectString(p, ctx, "a system package name string"));
      return { packages, filter: options.length === 0 ? undefined : filterFromValues(options, ctx, item.pos) };
    });
  } catch (error) {
    const legacy = legacyDepexts(value, ctx);
    if (legacy === undefined) throw error;
    return legacy;
  }
}

/** Tags become a conjunction of string filters, which never evaluate to true (as in opam 2). */
function legacyDepexts(value: Value, ctx: FieldContext): Depext[] | undefined {
  try {
    return itemsAtDepth(value, 3, ctx).map((pair) => {
      if (pair.kind !== "list" || pair.items.length !== 2) throw fieldError(ctx, pair.pos, "expected a pair");
      const [tags, packages] = pair.items.map((v) => {
        if (v.kind !== "list") throw fieldError(ctx, v.pos, "expected a list");
        return v.items.map((s) => expectString(s, ctx));
      }) as [string[], string[]];
      let filter: Filter | undefined;
      for (let i = tags.length - 1; i >= 0; i--) {
        const tag: Filter = { kind: "string", value: tags[i]! };
        filter = filter === undefined ? tag : { kind: "and", left: tag, right: filter };
      }
      return { packages, filter };
    });
  } catch {
    return undefined;
  }
}

function parsePinDepends(value: Value, ctx: FieldContext): PinDepend[] {
  return items2(value, ctx).map((item) => {
    if (item.kind !== "list" || item.items.length !== 2) throw fieldError(ctx, item.pos, `expected [ "name.version" "url" ], found ${describeValue(item)}`);
    const [idValue, urlValue] = item.items as [Value, Value];
    const id = expectString(idValue, ctx, `a "name.version" string`);
    const dot = id.indexOf(".");
    const [name, version] = dot < 0 ? [id, ""] : [id.slice(0, dot), id.slice(dot + 1)];
    if (!isValidPackageName(name) || !isValidVersion(version)) throw fieldError(ctx, idValue.pos, `invalid package "${id}" (expected name.version)`);
    const url = parseUrl(expectString(urlValue, ctx, "a URL string"), { where: where(ctx, urlValue.pos) });
    return { id, name, version, url, pos: item.pos };
  });
}

function where(ctx: FieldContext, pos: Pos): string {
  return `${ctx.file}:${pos.line}:${pos.col}: ${ctx.field}`;
}

const URL_FIELDS: Readonly<Record<string, UrlBackend | undefined>> = {
  src: undefined,
  archive: "http",
  http: "http",
  git: "git",
  darcs: "darcs",
  hg: "hg",
  local: "local",
};

function urlOf(value: Value, ctx: FieldContext, backend: UrlBackend | undefined): OpamUrl {
  return parseUrl(expectString(value, ctx, "a URL string"), { where: where(ctx, value.pos), ...(backend ? { backend } : {}) });
}

/** The contents of `url { … }` / `extra-source "x" { … }` (opamFile.ml URLSyntax). */
function parseUrlSection(items: readonly Item[], file: string, section: string, pos: Pos): UrlSection {
  let src: OpamUrl | undefined;
  let checksums: Checksum[] = [];
  let mirrors: OpamUrl[] = [];
  let subpath: string | undefined;
  for (const item of items) {
    if (item.kind !== "field") continue;
    const ctx = { file, field: `${section}.${item.name}` };
    if (item.name in URL_FIELDS) {
      if (src !== undefined) throw fieldError(ctx, item.pos, "too many URLs (one of src/archive/http/git/hg/darcs/local)");
      src = urlOf(item.value, ctx, URL_FIELDS[item.name]);
    } else if (item.name === "checksum") {
      checksums = items1(item.value).map((v) => parseChecksum(expectString(v, ctx, "a checksum string")) ?? badChecksum(ctx, v));
    } else if (item.name === "mirrors") {
      mirrors = items1(item.value).map((v) => urlOf(v, ctx, undefined));
    } else if (item.name === "subpath") {
      subpath = expectString(item.value, ctx);
    }
  }
  if (src === undefined) throw fieldError({ file, field: section }, pos, "missing src");
  return { src, checksums, mirrors, subpath, pos };
}

function badChecksum(ctx: FieldContext, value: Value): never {
  throw fieldError(ctx, value.pos, `invalid checksum "${(value as { value: string }).value}" (expected md5=, sha256= or sha512= and the right number of hex digits)`);
}

function commandCount(value: Value, ctx: FieldContext): number {
  return items2(value, ctx).length;
}

// ---- The model -----------------------------------------------------------------------------------

/** Fields whose duplicates opam reports ("Duplicate field"); x- fields are last-wins instead. */
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
  if (SINGLE_FIELDS.has(item.name) && pkg.fieldPos.has(item.name)) throw fieldError(ctx, item.pos, "duplicate field");
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

function readSection(pkg: OpamPackage, item: Extract<Item, { kind: "section" }>): void {
  if (item.section !== "url" && item.section !== "extra-source") return;
  const key = item.label === undefined ? item.section : `${item.section} ${item.label}`;
  const ctx = { file: pkg.file, field: key };
  if (pkg.fieldPos.has(key)) throw fieldError(ctx, item.pos, "duplicate section");
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
