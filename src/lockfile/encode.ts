// Lockfile → opam AST items (format 0.3): opam's field order, every list sorted as the reference
// sorts it, empty fields left out or (duniverse-dirs) blank as opam's printer does. Pure; printing
// is printOpam's job.
import { NO_POS, field, list, str, type Item, type Value } from "../opam/ast.js";
import { filterFromValues, filterToValue, type Filter } from "../opam/filter.js";
import { compareVersions } from "../opam/version.js";
import { rewriteRepositoryOut } from "../project/config.js";
import type { DuniverseRepo } from "../duniverse/plan.js";
import type { GlobalVarValue, LockedDependency, LockedDepext, Lockfile, PinDepend } from "./model.js";
import { bytewise } from "../core/compare.js";

export const SYNOPSIS = "opam-monorepo generated lockfile";
export const MAINTAINER = "opam-monorepo";

const lowerCode = (code: number): number => (code >= 65 && code <= 90 ? code + 32 : code);

/**
 * opam's package-name order (OpamPackage.Name.compare), measured on the reference: character by
 * character, case-insensitively, and on a tie of letters the uppercase one first
 * (`"ANSITerminal"` < `"angstrom"`, `"ISO8601"` < `"int_repr"`); a prefix sorts first.
 */
export function comparePackageNames(a: string, b: string): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return Math.sign(lowerCode(x) - lowerCode(y)) || Math.sign(x - y);
  }
  return Math.sign(a.length - b.length);
}

/** OCaml's hash of a polymorphic variant tag: the order `compare` gives `Eq, `Gt, `git, … */
function variantHash(tag: string): number {
  let accu = 0;
  for (let i = 0; i < tag.length; i++) accu = (Math.imul(223, accu) + tag.charCodeAt(i)) | 0;
  accu &= 0x7fffffff;
  return accu > 0x3fffffff ? accu - 0x80000000 : accu;
}

interface OpamUrlParts {
  transport: string;
  path: string;
  hash: string | undefined;
  backend: string;
}

const BACKEND_OF_TRANSPORT: Record<string, string> = { git: "git", hg: "hg", darcs: "darcs", http: "http", https: "http", ftp: "http" };

function opamUrlParts(url: string): OpamUrlParts {
  const cut = url.indexOf("#");
  const main = cut < 0 ? url : url.slice(0, cut);
  const hash = cut < 0 ? undefined : url.slice(cut + 1);
  const scheme = /^([^:/]*):\/\/(.*)$/s.exec(main);
  if (scheme === null) return { transport: "file", path: main, hash, backend: "rsync" };
  const plus = scheme[1]!.indexOf("+");
  const transport = plus < 0 ? scheme[1]! : scheme[1]!.slice(plus + 1);
  const backend = plus < 0 ? (BACKEND_OF_TRANSPORT[transport] ?? "rsync") : scheme[1]!.slice(0, plus);
  return { transport, path: scheme[2]!, hash, backend };
}

/** OpamUrl.compare: transport, then host+path, then `#fragment` (none first), then backend. */
export function compareOpamUrls(a: string, b: string): number {
  const x = opamUrlParts(a);
  const y = opamUrlParts(b);
  if (x.transport !== y.transport) return bytewise(x.transport, y.transport);
  if (x.path !== y.path) return bytewise(x.path, y.path);
  if (x.hash !== y.hash) return x.hash === undefined ? -1 : y.hash === undefined ? 1 : bytewise(x.hash, y.hash);
  return Math.sign(variantHash(x.backend) - variantHash(y.backend));
}

const FILTER_TAGS = ["bool", "string", "ident", "relop", "and", "or", "not", "defined"];

function compareLists<T>(a: readonly T[], b: readonly T[], compare: (x: T, y: T) => number): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compare(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return Math.sign(a.length - b.length);
}

/** OCaml's structural `compare` on opam's filter type (what the reference sorts depexts with). */
export function compareFilters(a: Filter, b: Filter): number {
  if (a.kind !== b.kind) return Math.sign(FILTER_TAGS.indexOf(a.kind) - FILTER_TAGS.indexOf(b.kind));
  switch (a.kind) {
    case "bool":
      return Number(a.value) - Number((b as typeof a).value);
    case "string":
      return bytewise(a.value, (b as typeof a).value);
    case "ident": {
      const y = b as typeof a;
      const scope = (s: string) => (s === "_" ? "" : `\u0001${s}`);
      const converter = (c: typeof a.converter) => (c === undefined ? "" : `\u0001${c.ifTrue}\u0000${c.ifFalse}`);
      return compareLists(a.scopes.map(scope), y.scopes.map(scope), bytewise) || bytewise(a.variable, y.variable) || bytewise(converter(a.converter), converter(y.converter));
    }
    case "relop": {
      const y = b as typeof a;
      const tag = { "=": "Eq", "!=": "Neq", ">=": "Geq", ">": "Gt", "<=": "Leq", "<": "Lt" } as const;
      return compareFilters(a.left, y.left) || Math.sign(variantHash(tag[a.op]) - variantHash(tag[y.op])) || compareFilters(a.right, y.right);
    }
    case "and":
    case "or": {
      const y = b as typeof a;
      return compareFilters(a.left, y.left) || compareFilters(a.right, y.right);
    }
    case "not":
    case "defined":
      return compareFilters(a.arg, (b as typeof a).arg);
  }
}

interface NormalDepext {
  packages: string[];
  filter: Filter;
}

function normalDepext(depext: LockedDepext): NormalDepext {
  const filter = filterFromValues(depext.filter === undefined ? [] : [depext.filter], { file: "<lock file>", field: "depexts" });
  return { packages: [...new Set(depext.packages)].sort(bytewise), filter };
}

function compareDepexts(a: NormalDepext, b: NormalDepext): number {
  return compareLists(a.packages, b.packages, bytewise) || compareFilters(a.filter, b.filter);
}

/** The reference's `List.sort_uniq` over `(system package set, filter)` pairs. */
export function sortDepexts(depexts: readonly LockedDepext[]): LockedDepext[] {
  const sorted = depexts.map(normalDepext).sort(compareDepexts);
  const unique = sorted.filter((depext, i) => i === 0 || compareDepexts(sorted[i - 1]!, depext) !== 0);
  return unique.map(({ packages, filter }) => ({
    packages,
    filter: filter.kind === "bool" && filter.value ? undefined : filterToValue(filter),
  }));
}

export function compareDependencies(a: { name: string; version: string }, b: { name: string; version: string }): number {
  return comparePackageNames(a.name, b.name) || compareVersions(a.version, b.version);
}

function pinParts(pin: PinDepend): { name: string; version: string } {
  const dot = pin.id.indexOf(".");
  return dot < 0 ? { name: pin.id, version: "" } : { name: pin.id.slice(0, dot), version: pin.id.slice(dot + 1) };
}

function dependencyValue(dependency: LockedDependency): Value {
  const equal: Value = { kind: "prefixRelop", op: "=", arg: str(dependency.version), pos: NO_POS };
  const vendor: Value = { kind: "pfxop", op: "?", arg: { kind: "ident", name: "vendor", pos: NO_POS }, pos: NO_POS };
  const constraint: Value = dependency.vendored ? { kind: "logop", op: "&", left: equal, right: vendor, pos: NO_POS } : equal;
  return { kind: "option", value: str(dependency.name), options: [constraint], pos: NO_POS };
}

function depextValue(depext: LockedDepext): Value {
  const packages = list(depext.packages.map((name) => str(name)));
  return depext.filter === undefined ? packages : { kind: "option", value: packages, options: [depext.filter], pos: NO_POS };
}

function duniverseDirValue(repo: DuniverseRepo): Value {
  const entry = [str(repo.url), str(repo.dir)];
  if (repo.hashes.length > 0) entry.push(list(repo.hashes.map((hash) => str(hash))));
  return list(entry);
}

function globalVarValue(value: GlobalVarValue): Value {
  if (typeof value === "boolean") return { kind: "bool", value, pos: NO_POS };
  if (typeof value === "string") return str(value);
  return list(value.map((item) => str(item)));
}

const strings = (values: readonly string[]): Value => list(values.map((value) => str(value)));

/**
 * The repositories field as the reference writes it: each URL written back (`$OPAM_MONOREPO_CWD`
 * under `root`), then the set of them in opam's URL order (OpamUrl.Set). Only the written field
 * is sorted: priority stays declaration order (DESIGN.md).
 */
function writtenRepositories(urls: readonly string[], root: string | undefined): string[] {
  const written = urls.map((url) => (root === undefined ? url : rewriteRepositoryOut(url, root)));
  const sorted = [...written].sort(compareOpamUrls);
  return sorted.filter((url, i) => i === 0 || compareOpamUrls(sorted[i - 1]!, url) !== 0);
}

/** One-element lists of lists unwrapped (`[[x]]` printed `[x]`), as opam's printer does. */
function unwrapSingle(values: Value[]): Value {
  return values.length === 1 && (values[0]!.kind === "list" || values[0]!.kind === "option") ? values[0]! : list(values);
}

/** The lock file's `x-opam-monorepo-*` fields, alphabetically, empty ones left out. */
function extensionItems(lockfile: Lockfile, root: string | undefined): Item[] {
  const x = (name: string, value: Value | undefined): Item[] =>
    value === undefined || (value.kind === "list" && value.items.length === 0) ? [] : [field(`x-opam-monorepo-${name}`, value)];
  const repos = [...lockfile.repos].sort((a, b) => compareOpamUrls(a.url, b.url));
  const vars = lockfile.globalOpamVars && [...lockfile.globalOpamVars].sort(([a], [b]) => bytewise(a, b));
  return [
    ...x("cli-args", lockfile.cliArgs && strings(lockfile.cliArgs)),
    // Always written, even empty: the reference's printer then writes an empty line (see file.ts).
    field("x-opam-monorepo-duniverse-dirs", list(repos.map(duniverseDirValue))),
    ...x("global-opam-vars", vars && list(vars.map(([name, value]) => list([str(name), globalVarValue(value)])))),
    ...x("opam-provided", lockfile.opamProvided && strings([...new Set(lockfile.opamProvided)].sort(comparePackageNames))),
    ...x("opam-repositories", lockfile.opamRepositories && strings(writtenRepositories(lockfile.opamRepositories, root))),
    ...x("root-packages", strings([...new Set(lockfile.rootPackages)].sort(comparePackageNames))),
    ...x("version", str(lockfile.version)),
  ];
}

/**
 * The lock file as opam items. `root` rewrites repository URLs under it back to
 * `$OPAM_MONOREPO_CWD`; without it they are written as they are.
 */
export function encodeLockfile(lockfile: Lockfile, root?: string): Item[] {
  const nonEmpty = (name: string, values: Value[], unwrap = false): Item[] =>
    values.length === 0 ? [] : [field(name, unwrap ? unwrapSingle(values) : list(values))];
  const depends = [...lockfile.depends].sort(compareDependencies);
  const pins = [...lockfile.pinDepends].sort((a, b) => compareDependencies(pinParts(a), pinParts(b)));
  return [
    field("opam-version", str("2.0")),
    field("synopsis", str(SYNOPSIS)),
    field("maintainer", str(MAINTAINER)),
    ...nonEmpty("depends", depends.map(dependencyValue)),
    ...nonEmpty("depexts", sortDepexts(lockfile.depexts).map(depextValue), true),
    ...nonEmpty("pin-depends", pins.map((pin) => list([str(pin.id), str(pin.url)])), true),
    ...extensionItems(lockfile, root),
  ];
}

/** `pin-depends` as the reference derives it: every package each repository provides. */
export function pinDependsOfRepos(repos: readonly DuniverseRepo[]): PinDepend[] {
  return repos.flatMap((repo) => repo.provides.map((ref) => ({ id: `${ref.name}.${ref.version}`, url: repo.url })));
}
