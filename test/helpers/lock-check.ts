// Independent checker of a written lock file against the repositories it was solved from:
// re-reads every locked version's opam file, evaluates depends/conflicts/available with opam's
// filter semantics (its own formula walk, not src/solve), and checks the vendoring rules and the
// duniverse directories. Returns problems as strings ([] = valid). Test support only.
import type { Value } from "../../src/opam/ast.js";
import { findField } from "../../src/opam/ast.js";
import { globalEnv, mergeEnvs, type Env, type EnvValue } from "../../src/opam/env.js";
import { evalFilter, filterHolds } from "../../src/opam/filter.js";
import type { ConstraintItem, FilteredPackageFormula, Formula } from "../../src/opam/formula.js";
import { packageFromOpam, type OpamPackage } from "../../src/opam/package.js";
import { parseOpam } from "../../src/opam/parser.js";
import { compareVersions, relopHolds } from "../../src/opam/version.js";
import { readSnapshotEntries, type SnapshotName } from "./real-data.js";

/** A repository as the checker sees it: opam text by name and version, and the versions of a name. */
export interface CheckedRepository {
  label: string;
  /** An overlay (opam-overlays, mirage-opam-overlays): its versions count as dune ports. */
  overlay: boolean;
  opam(name: string, version: string): string | undefined;
  versions(name: string): string[];
}

export interface LockCheckRequest {
  lockText: string;
  /** Highest priority first (the order given to lock). */
  repositories: CheckedRepository[];
  /** The global variables lock was given (x-opam-monorepo-global-opam-vars), plus OPAMVAR_* ones. */
  globals: Record<string, EnvValue>;
  /** Local packages at the version lock gave them (`zdev` unless set). */
  locals: { name: string; version: string; text: string; target: boolean }[];
  buildOnly: boolean;
  requireCrossCompile: boolean;
  opamProvided: string[];
  ocamlVersion?: string;
}

interface Locked {
  name: string;
  version: string;
  vendor: boolean;
  pkg: OpamPackage;
  overlay: boolean;
}

const SAFE_NAMES = new Set(["ocaml", "ocaml-compiler", "jbuilder", "dune", "ocamlbuild", "ocamlmod", "oasis", "ocamlify"]);

/** Repositories from the shared-data snapshots, read in memory. */
export function snapshotRepository(name: SnapshotName, overlay: boolean): CheckedRepository {
  const files = new Map<string, string>();
  const versions = new Map<string, string[]>();
  for (const entry of readSnapshotEntries(name)) {
    const match = /^packages\/([^/]+)\/\1\.([^/]+)\/opam$/.exec(entry.path);
    if (match === null) continue;
    files.set(`${match[1]}.${match[2]}`, entry.data.toString("utf8"));
    versions.set(match[1]!, [...(versions.get(match[1]!) ?? []), match[2]!]);
  }
  return { label: name, overlay, opam: (n, v) => files.get(`${n}.${v}`), versions: (n) => versions.get(n) ?? [] };
}

/** Checks the lock file; every returned string is one broken rule. */
export function checkLock(request: LockCheckRequest): string[] {
  const problems: string[] = [];
  const lock = readLock(request.lockText);
  const global = globalEnv(request.globals);
  const locked = new Map<string, Locked>();
  for (const dep of lock.depends) {
    const found = findOpam(request.repositories, dep.name, dep.version);
    if (found === undefined) problems.push(`${dep.name}.${dep.version}: in no repository`);
    else locked.set(dep.name, { ...dep, pkg: packageFromOpam(parseOpam(found.text, found.label), dep.name, dep.version), overlay: found.overlay });
  }
  const locals = new Map(request.locals.map((l) => [l.name, packageFromOpam(parseOpam(l.text, `${l.name}.opam`), l.name, l.version)]));
  const installed = new Map<string, string>([...[...locked.values()].map((l) => [l.name, l.version] as [string, string]), ...[...locals].map(([n, p]) => [n, p.version] as [string, string])]);
  const targets = new Set(request.locals.filter((l) => l.target).map((l) => l.name));
  const envOf = (pkg: OpamPackage, flags: boolean) =>
    mergeEnvs(flags ? flagsEnv(targets.has(pkg.name) && !request.buildOnly, pkg.version === "dev") : () => undefined, selfEnv(pkg), global);
  const relevant = [...locked.values()].map((l) => l.pkg).concat([...locals.values()].filter((p) => targets.has(p.name) || installedNeeded(p, locked)));

  for (const pkg of relevant) {
    const env = envOf(pkg, true);
    if (!locals.has(pkg.name) && !filterHolds(pkg.available, envOf(pkg, false))) problems.push(`${pkg.name}.${pkg.version}: not available`);
    const unmet = unsatisfied(pkg.depends, env, installed);
    if (unmet.length > 0) problems.push(`${pkg.name}.${pkg.version}: depends not satisfied: ${unmet.join(", ")}`);
    for (const [name, version] of installed) {
      if (name !== pkg.name && atomMatches(pkg.conflicts, name, version, env)) problems.push(`${pkg.name}.${pkg.version} conflicts with ${name}.${version}`);
    }
  }
  problems.push(...conflictClasses(relevant));
  problems.push(...vendoringProblems(request, locked, envOf));
  problems.push(...reachability(request, locked, locals, envOf, installed));
  problems.push(...duniverseProblems(lock, locked));
  if (request.ocamlVersion !== undefined && locked.get("ocaml")?.version !== request.ocamlVersion) {
    problems.push(`ocaml is ${locked.get("ocaml")?.version}, not ${request.ocamlVersion}`);
  }
  const roots = [...targets].sort();
  if (JSON.stringify(lock.roots) !== JSON.stringify(roots)) problems.push(`root packages ${lock.roots.join(",")} instead of ${roots.join(",")}`);
  return problems;
}

function installedNeeded(pkg: OpamPackage, locked: Map<string, Locked>): boolean {
  return [...locked.values()].some((l) => namesOf(l.pkg.depends).has(pkg.name));
}

function findOpam(repositories: CheckedRepository[], name: string, version: string) {
  for (const repo of repositories) {
    const text = repo.opam(name, version);
    if (text !== undefined) return { text, label: `${repo.label}:${name}.${version}`, overlay: repo.overlay };
  }
  return undefined;
}

function flagsEnv(withTest: boolean, dev: boolean): Env {
  const flags: Record<string, boolean> = { build: true, post: true, "with-test": withTest, "with-doc": false, "with-dev-setup": false, dev };
  return (variable, scope) => (scope === undefined ? flags[variable] : undefined);
}

function selfEnv(pkg: OpamPackage): Env {
  return (variable, scope) =>
    scope === undefined || scope === "_" || scope === pkg.name ? (variable === "name" ? pkg.name : variable === "version" ? pkg.version : undefined) : undefined;
}

// ---- opam's filter_deps, walked here independently -----------------------------------------------

type Verdict = "drop" | "any" | ((version: string) => boolean);

/** A `{…}` constraint: drop (a false filter), any version, or a version test. */
function constraintVerdict(formula: Formula<ConstraintItem>, env: Env): Verdict | false {
  switch (formula.kind) {
    case "empty":
      return "any";
    case "atom": {
      const item = formula.atom;
      if (item.kind === "filter") return evalFilter(item.filter, env) === true ? "any" : false;
      const bound = evalFilter(item.version, env);
      if (typeof bound !== "string") return false;
      return (version) => relopHolds(item.op, compareVersions(version, bound));
    }
    case "and": {
      const parts = formula.items.map((item) => constraintVerdict(item, env));
      if (parts.includes(false)) return false;
      const tests = parts.filter((p): p is (v: string) => boolean => typeof p === "function");
      return tests.length === 0 ? "any" : (v) => tests.every((t) => t(v));
    }
    case "or": {
      const parts = formula.items.map((item) => constraintVerdict(item, env)).filter((p) => p !== false);
      if (parts.length === 0) return false;
      if (parts.includes("any")) return "any";
      const tests = parts as ((v: string) => boolean)[];
      return (v) => tests.some((t) => t(v));
    }
  }
}

/** true/false, or "empty" when every atom was filtered away (neutral in `&` and `|`). */
function holds(formula: FilteredPackageFormula, env: Env, installed: Map<string, string>): boolean | "empty" {
  switch (formula.kind) {
    case "empty":
      return "empty";
    case "atom": {
      const verdict = constraintVerdict(formula.atom.constraint, env);
      if (verdict === false) return "empty";
      const version = installed.get(formula.atom.name);
      return version !== undefined && (verdict === "any" || (verdict as (v: string) => boolean)(version));
    }
    case "and":
    case "or": {
      const parts = formula.items.map((item) => holds(item, env, installed)).filter((p) => p !== "empty");
      if (parts.length === 0) return "empty";
      return formula.kind === "and" ? parts.every(Boolean) : parts.some(Boolean);
    }
  }
}

function unsatisfied(formula: FilteredPackageFormula, env: Env, installed: Map<string, string>): string[] {
  if (formula.kind === "and") return formula.items.flatMap((item) => unsatisfied(item, env, installed));
  return holds(formula, env, installed) === false ? [describe(formula)] : [];
}

function describe(formula: FilteredPackageFormula): string {
  if (formula.kind === "atom") return formula.atom.name;
  if (formula.kind === "empty") return "";
  return `(${formula.items.map(describe).join(formula.kind === "and" ? " & " : " | ")})`;
}

/** Whether `conflicts` names `name` at `version` (with its filter true). */
function atomMatches(formula: FilteredPackageFormula, name: string, version: string, env: Env): boolean {
  if (formula.kind === "atom") {
    if (formula.atom.name !== name) return false;
    const verdict = constraintVerdict(formula.atom.constraint, env);
    return verdict !== false && (verdict === "any" || (verdict as (v: string) => boolean)(version));
  }
  return formula.kind !== "empty" && formula.items.some((item) => atomMatches(item, name, version, env));
}

function namesOf(formula: FilteredPackageFormula, into = new Set<string>()): Set<string> {
  if (formula.kind === "atom") into.add(formula.atom.name);
  else if (formula.kind !== "empty") formula.items.forEach((item) => namesOf(item, into));
  return into;
}

function conflictClasses(packages: OpamPackage[]): string[] {
  const owners = new Map<string, string>();
  const problems: string[] = [];
  for (const pkg of packages) {
    for (const cls of pkg.conflictClass) {
      if (owners.has(cls)) problems.push(`${owners.get(cls)} and ${pkg.name} share conflict class ${cls}`);
      owners.set(cls, pkg.name);
    }
  }
  return problems;
}

// ---- Vendoring rules -----------------------------------------------------------------------------

function isSafe(pkg: OpamPackage): boolean {
  const virtual = pkg.url === undefined || (!pkg.hasBuild && !pkg.hasInstall) || (pkg.flags.includes("conf") && (pkg.devRepo?.raw ?? "") === "");
  return virtual || pkg.flags.includes("compiler") || SAFE_NAMES.has(pkg.name);
}

function vendoringProblems(request: LockCheckRequest, locked: Map<string, Locked>, envOf: (p: OpamPackage, f: boolean) => Env): string[] {
  const problems: string[] = [];
  const provided = new Set(request.opamProvided);
  const installed = new Map([...locked.values()].map((l) => [l.name, l.version] as [string, string]));
  const onlyForOpam = closureOf([...provided], locked, new Map(), envOf, installed);
  for (const l of locked.values()) {
    const id = `${l.name}.${l.version}`;
    if (l.vendor && isSafe(l.pkg)) problems.push(`${id} is vendored but is the compiler, a build tool or virtual`);
    if (l.vendor && provided.has(l.name)) problems.push(`${id} is vendored but opam-provided`);
    if (!l.vendor && !isSafe(l.pkg) && !provided.has(l.name) && !onlyForOpam.has(l.name)) problems.push(`${id} is not vendored`);
    if (!l.vendor) continue;
    const dune = namesOf(l.pkg.depends).has("dune") || namesOf(l.pkg.depopts).has("dune");
    if (!dune && !l.overlay) problems.push(`${id} is vendored but does not build with dune`);
    if (request.requireCrossCompile && !l.pkg.tags.includes("cross-compile") && taggedVersionExists(request, l, envOf)) {
      problems.push(`${id} is vendored without the cross-compile tag although a tagged version exists`);
    }
    const closure = new Map([...locked.values()].filter((o) => o.vendor || isSafe(o.pkg)).map((o) => [o.name, o.version] as [string, string]));
    for (const local of request.locals) closure.set(local.name, local.version);
    const withoutProvided = removeNames(l.pkg.depends, provided);
    const unmet = unsatisfied(withoutProvided, envOf(l.pkg, true), closure);
    if (unmet.length > 0) problems.push(`${id} (vendored) needs non-vendored ${unmet.join(", ")}`);
  }
  return problems;
}

function removeNames(formula: FilteredPackageFormula, names: Set<string>): FilteredPackageFormula {
  if (formula.kind === "atom") return names.has(formula.atom.name) ? { kind: "empty" } : formula;
  if (formula.kind === "empty") return formula;
  const items = formula.items.map((item) => removeNames(item, names)).filter((item) => item.kind !== "empty");
  return items.length === 0 ? { kind: "empty" } : items.length === 1 ? items[0]! : { kind: formula.kind, items };
}

function taggedVersionExists(request: LockCheckRequest, l: Locked, envOf: (p: OpamPackage, f: boolean) => Env): boolean {
  return request.repositories.some((repo) =>
    repo.versions(l.name).some((version) => {
      const text = repo.opam(l.name, version)!;
      if (!/cross-compile/.test(text)) return false;
      const pkg = packageFromOpam(parseOpam(text, repo.label), l.name, version);
      return pkg.tags.includes("cross-compile") && filterHolds(pkg.available, envOf(pkg, false));
    }),
  );
}

/** Every locked package is reachable from the request through satisfied dependencies. */
function reachability(
  request: LockCheckRequest,
  locked: Map<string, Locked>,
  locals: Map<string, OpamPackage>,
  envOf: (p: OpamPackage, f: boolean) => Env,
  installed: Map<string, string>,
): string[] {
  const seen = closureOf(["ocaml-base-compiler", ...request.locals.filter((l) => l.target).map((l) => l.name)], locked, locals, envOf, installed);
  return [...locked.keys()].filter((name) => !seen.has(name)).map((name) => `${name} is locked but nothing needs it`);
}

/** The names reachable from `start` through satisfied dependencies. */
function closureOf(
  start: string[],
  locked: Map<string, Locked>,
  locals: Map<string, OpamPackage>,
  envOf: (p: OpamPackage, f: boolean) => Env,
  installed: Map<string, string>,
): Set<string> {
  const seen = new Set<string>(start);
  const queue = [...seen];
  for (let i = 0; i < queue.length; i++) {
    const pkg = locked.get(queue[i]!)?.pkg ?? locals.get(queue[i]!);
    if (pkg === undefined) continue;
    for (const name of satisfiedNames(pkg.depends, envOf(pkg, true), installed)) {
      if (seen.has(name)) continue;
      seen.add(name);
      queue.push(name);
    }
  }
  return seen;
}

function satisfiedNames(formula: FilteredPackageFormula, env: Env, installed: Map<string, string>): string[] {
  if (formula.kind === "empty") return [];
  if (formula.kind === "atom") return holds(formula, env, installed) === true ? [formula.atom.name] : [];
  return formula.items.flatMap((item) => satisfiedNames(item, env, installed));
}

// ---- The lock file and its duniverse -------------------------------------------------------------

interface LockView {
  depends: { name: string; version: string; vendor: boolean }[];
  pins: Map<string, string>;
  dirs: { url: string; dir: string; hashes: string[] }[];
  roots: string[];
}

function strings(value: Value | undefined): string[] {
  if (value === undefined) return [];
  const items = value.kind === "list" ? value.items : [value];
  return items.map((item) => (item.kind === "string" ? item.value : JSON.stringify(item)));
}

export function readLock(text: string): LockView {
  const file = parseOpam(text, "lock");
  const field = (name: string) => findField(file.items, name)?.value;
  const list = (value: Value | undefined): Value[] => (value === undefined ? [] : value.kind === "list" ? value.items : [value]);
  const depends = list(field("depends")).map((item) => {
    if (item.kind !== "option" || item.value.kind !== "string") throw new Error(`lock: bad depends item`);
    const text = JSON.stringify(item.options);
    const version = /"op":"=","arg":\{"kind":"string","value":"([^"]+)"/.exec(text)?.[1];
    if (version === undefined) throw new Error(`lock: no version for ${item.value.value}`);
    return { name: item.value.value, version, vendor: /"op":"\?","arg":\{"kind":"ident","name":"vendor"/.test(text) };
  });
  const pins = new Map(list(field("pin-depends")).map((item) => strings(item) as [string, string]));
  const dirs = list(field("x-opam-monorepo-duniverse-dirs")).map((item) => {
    const parts = item.kind === "list" ? item.items : [];
    return { url: strings(parts[0])[0]!, dir: strings(parts[1])[0]!, hashes: strings(parts[2]) };
  });
  return { depends, pins, dirs, roots: strings(field("x-opam-monorepo-root-packages")) };
}

function dirNameOf(devRepo: string): string {
  const path = devRepo.replace(/^[a-z+]+:\/\/[^/]*/, "").replace(/#.*$/, "").replace(/\/+$/, "");
  const name = path.slice(path.lastIndexOf("/") + 1).replace(/^\.+/, "").split(".")[0]!;
  return name === "dune" ? "dune_" : name;
}

function duniverseProblems(lock: LockView, locked: Map<string, Locked>): string[] {
  const problems: string[] = [];
  const dirs = new Map(lock.dirs.map((d) => [d.url, d]));
  const byDir = new Map<string, Set<string>>();
  if (new Set(lock.dirs.map((d) => d.dir)).size !== lock.dirs.length) problems.push("two duniverse-dirs entries share a directory");
  for (const l of locked.values()) {
    const id = `${l.name}.${l.version}`;
    const pin = lock.pins.get(id);
    if (!l.vendor || isSafe(l.pkg) || l.pkg.devRepo === undefined) {
      if (pin !== undefined && !l.vendor) problems.push(`${id} is pinned but not vendored`);
      continue;
    }
    if (pin === undefined) {
      problems.push(`${id} is vendored but has no pin-depends entry`);
      continue;
    }
    const entry = dirs.get(pin);
    if (entry === undefined) problems.push(`${id}: no duniverse-dirs entry for ${pin}`);
    const own = (l.pkg.url?.checksums ?? []).map((c) => `${c.algo}=${c.hex}`);
    const sameArchive = l.pkg.url?.src.raw === pin || own.some((h) => entry?.hashes.includes(h));
    if (!pin.startsWith("git+") && !sameArchive) problems.push(`${id}: its archive ${l.pkg.url?.src.raw} is not ${pin}`);
    const devRepoDir = dirNameOf(l.pkg.devRepo.raw);
    if (entry !== undefined && entry.dir !== devRepoDir) problems.push(`${id}: directory ${entry.dir}, its dev-repo gives ${devRepoDir}`);
    if (entry !== undefined) byDir.set(entry.dir, new Set([...(byDir.get(entry.dir) ?? []), l.pkg.devRepo.raw.replace(/(\.git)?(#.*)?$/, "").replace(/^[a-z+]+:\/\//, "")]));
  }
  for (const [dir, devRepos] of byDir) if (devRepos.size > 1) problems.push(`duniverse/${dir} mixes dev-repos ${[...devRepos].join(", ")}`);
  for (const entry of lock.dirs) if (![...lock.pins.values()].includes(entry.url)) problems.push(`duniverse-dirs entry ${entry.url} has no pin`);
  return problems;
}
