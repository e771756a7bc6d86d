// opam AST → Lockfile, with every check of the reference's loader (lib/lockfile.ml) and its exact
// messages; errors name the file, and the line:col of the offending node where there is one. Pure.
import { UserError } from "../core/errors.js";
import { LOCKFILE_VERSION } from "../core/paths.js";
import { findField, type OpamFile, type Pos, type Value } from "../opam/ast.js";
import { parseUrl } from "../opam/url.js";
import { globalVarsOfValue, opamProvidedOfValue, repositoriesOfValue, rewriteRepositoryIn } from "../project/config.js";
import { expectList, expectString, ocamlQuoted, positionText, unexpectedValue, valueError, valueText } from "../opam/values.js";
import { dirListProblems } from "../duniverse/dir-names.js";
import type { DuniverseRepo, PackageRef } from "../duniverse/plan.js";
import type { LockedDependency, LockedDepext, Lockfile, PinDepend } from "./model.js";
import { bytewise } from "../core/compare.js";

const X = "x-opam-monorepo-";
const DEPENDS_SHAPE =
  "Invalid opam-monorepo lockfile: depends should be expressed as a list equality constraints optionally with a `vendor` variable";
const HASH = /^(md5=[0-9a-f]{32}|sha256=[0-9a-f]{64}|sha512=[0-9a-f]{128})$/;

function invalid(message: string, hint?: string): UserError {
  return new UserError("LOCKFILE_INVALID", message, hint === undefined ? {} : { hint });
}

function required(opam: OpamFile, name: string): Value {
  const found = findField(opam.items, name);
  if (found === undefined) throw invalid(`Missing ${name} field in opam-monorepo lockfile ${opam.file}`);
  return found.value;
}

const optional = (opam: OpamFile, name: string): Value | undefined => findField(opam.items, name)?.value;

/** `"<int>.<int>"`, equal to the current version, or the reference's too-old/too-new messages. */
function checkVersion(opam: OpamFile): string {
  const text = expectString(opam.file, required(opam, `${X}version`), "LOCKFILE_INVALID");
  const match = /^(\d+)\.(\d+)$/.exec(text);
  if (match === null) throw invalid(`Invalid lockfile version: ${ocamlQuoted(text)}`, `in ${opam.file}; this opam-monorepo writes "${LOCKFILE_VERSION}"`);
  const [major, minor] = [Number(match[1]), Number(match[2])];
  const [currentMajor, currentMinor] = LOCKFILE_VERSION.split(".").map(Number) as [number, number];
  const order = Math.sign(major - currentMajor) || Math.sign(minor - currentMinor);
  const shown = `${major}.${minor}`;
  if (order > 0) {
    throw new UserError("LOCKFILE_TOO_NEW", `Incompatible opam-monorepo lockfile version ${shown}. Please upgrade your opam-monorepo plugin.`, {
      hint: `${opam.file} was written by a newer opam-monorepo (lock file format ${shown}; this one reads ${LOCKFILE_VERSION})`,
    });
  }
  if (order < 0) {
    throw new UserError(
      "LOCKFILE_TOO_OLD",
      `opam-monorepo lockfile version ${shown} is too old. Please regenerate the lockfile using your current opam-monorepo plugin or install an older version of the plugin.`,
      { hint: `${opam.file} uses lock file format ${shown}; run \`opam monorepo lock\` to regenerate it` },
    );
  }
  return text;
}

/** The atoms of a conjunction: list items, `a & b`, single-item groups. */
function conjunction(value: Value): Value[] {
  if (value.kind === "list") return value.items.flatMap(conjunction);
  if (value.kind === "logop" && value.op === "&") return [...conjunction(value.left), ...conjunction(value.right)];
  if (value.kind === "group" && value.items.length === 1) return conjunction(value.items[0]!);
  return [value];
}

function isVendorVariable(value: Value): boolean {
  return value.kind === "pfxop" && value.op === "?" && value.arg.kind === "ident" && value.arg.name === "vendor";
}

function equalityVersion(value: Value): string | undefined {
  return value.kind === "prefixRelop" && value.op === "=" && value.arg.kind === "string" ? value.arg.value : undefined;
}

function dependencyOf(file: string, atom: Value): LockedDependency {
  const bad = () => invalid(DEPENDS_SHAPE, `${file}, ${positionText(atom.pos)}: ${valueText(atom)}`);
  if (atom.kind !== "option" || atom.value.kind !== "string" || atom.options.length !== 1) throw bad();
  const name = atom.value.value;
  const constraint = atom.options[0]!;
  const version = equalityVersion(constraint);
  if (version !== undefined) return { name, version, vendored: false };
  if (constraint.kind === "logop" && constraint.op === "&") {
    const { left, right } = constraint;
    const vendored = equalityVersion(left) ?? equalityVersion(right);
    if (vendored !== undefined && (isVendorVariable(right) || isVendorVariable(left))) return { name, version: vendored, vendored: true };
  }
  throw bad();
}

function pinOf(file: string, value: Value): PinDepend {
  if (value.kind !== "list" || value.items.length !== 2) throw unexpectedValue(file, value, 'a list [ "package.version" "url" ]', "LOCKFILE_INVALID");
  return { id: expectString(file, value.items[0]!, "LOCKFILE_INVALID"), url: expectString(file, value.items[1]!, "LOCKFILE_INVALID") };
}

function pinDependsOf(file: string, value: Value | undefined): PinDepend[] {
  if (value === undefined) return [];
  const items = expectList(file, value, "LOCKFILE_INVALID");
  if (items.length === 2 && items[0]!.kind === "string") return [pinOf(file, value)];
  return items.map((item) => pinOf(file, item));
}

interface DirEntry {
  dir: string;
  hashes: string[];
  pos: Pos;
}

function hashOf(file: string, value: Value): string {
  const hash = expectString(file, value, "LOCKFILE_INVALID");
  if (!HASH.test(hash)) throw valueError(file, value, `Invalid hash: ${hash}`, "LOCKFILE_INVALID");
  return hash;
}

function duniverseDirsOf(file: string, value: Value | undefined): Map<string, DirEntry> {
  const dirs = new Map<string, DirEntry>();
  for (const entry of value === undefined ? [] : expectList(file, value, "LOCKFILE_INVALID")) {
    const items = entry.kind === "list" ? entry.items : [];
    const [url, dir, hashes] = items;
    if (url?.kind !== "string" || dir?.kind !== "string" || items.length > 3) {
      throw unexpectedValue(file, entry, 'a list [ "url" "repo name" [<hashes>] ]', "LOCKFILE_INVALID");
    }
    const hashList = hashes === undefined ? [] : expectList(file, hashes, "LOCKFILE_INVALID").map((hash) => hashOf(file, hash));
    dirs.set(url.value, { dir: dir.value, hashes: hashList, pos: dir.pos });
  }
  return dirs;
}

function depextOf(file: string, value: Value): LockedDepext {
  const packagesValue = value.kind === "option" ? value.value : value;
  const packages = expectList(file, packagesValue, "LOCKFILE_INVALID").map((item) => expectString(file, item, "LOCKFILE_INVALID"));
  if (value.kind !== "option" || value.options.length === 0) return { packages, filter: undefined };
  if (value.options.length > 1) throw unexpectedValue(file, value, "a list of system packages with one filter", "LOCKFILE_INVALID");
  return { packages, filter: value.options[0] };
}

/** The depexts entries, a single one unwrapped by opam's printer (`["gmp"] {os = "linux"}`) included. */
function depextItems(file: string, value: Value): Value[] {
  if (value.kind === "option") return [value];
  const items = expectList(file, value, "LOCKFILE_INVALID");
  return items.length > 0 && items.every((item) => item.kind === "string") ? [value] : items;
}

function isGitUrl(url: string): boolean {
  try {
    return parseUrl(url).backend === "git";
  } catch {
    return false;
  }
}

function refOf(id: string): PackageRef {
  const dot = id.indexOf(".");
  return dot < 0 ? { name: id, version: "" } : { name: id.slice(0, dot), version: id.slice(dot + 1) };
}

/** One error for every directory of `used` that pull would refuse (dirListProblems), with its position. */
function checkDirNames(file: string, used: readonly { dir: string; url: string; pos: Pos }[]): void {
  const problems = dirListProblems(used);
  if (problems.length === 0) return;
  const describe = ({ entry, problem }: (typeof problems)[number]) => `${ocamlQuoted(entry.dir)} for ${entry.url}: ${problem}`;
  const hint = `${X}duniverse-dirs names one directory of duniverse/ per repository; regenerate the lock file with \`opam monorepo lock\``;
  if (problems.length === 1) {
    throw new UserError("DUNIVERSE_DIR_INVALID", `Error in opam file ${file}, ${positionText(problems[0]!.entry.pos)}: invalid duniverse directory ${describe(problems[0]!)}`, { hint });
  }
  const lines = problems.map((found) => `  ${positionText(found.entry.pos)}: ${describe(found)}`);
  throw new UserError("DUNIVERSE_DIR_INVALID", `Invalid duniverse directories in opam file ${file}:\n${lines.join("\n")}`, { hint });
}

/** pin-depends grouped by URL, each joined with its duniverse-dirs entry (unreferenced dirs ignored). */
function reposOf(file: string, pins: readonly PinDepend[], dirs: ReadonlyMap<string, DirEntry>): DuniverseRepo[] {
  const byUrl = new Map<string, PackageRef[]>();
  for (const pin of pins) byUrl.set(pin.url, [...(byUrl.get(pin.url) ?? []), refOf(pin.id)]);
  const repos = [...byUrl].map(([url, provides]) => {
    const entry = dirs.get(url);
    if (entry === undefined) throw invalid(`Invalid opam-monorepo lockfile: Missing dir for ${url} in ${X}duniverse-dirs`, `in ${file}`);
    if (isGitUrl(url) && !/#./.test(url)) {
      throw invalid(`Invalid-monorepo lockfile pin URL ${url}: Git URL must be resolved to a commit hash`, `in ${file}`);
    }
    provides.sort((a, b) => bytewise(a.name, b.name));
    return { dir: entry.dir, url, hashes: entry.hashes, provides };
  });
  checkDirNames(file, repos.map((repo) => ({ ...repo, pos: dirs.get(repo.url)!.pos })));
  return repos;
}

function cliArgsOf(file: string, value: Value | undefined): string[] | undefined {
  return value === undefined ? undefined : expectList(file, value, "LOCKFILE_INVALID").map((item) => expectString(file, item, "LOCKFILE_INVALID"));
}

/**
 * Decode a parsed lock file. `root` is the project root that `$OPAM_MONOREPO_CWD` in repository
 * URLs stands for. Checks run in the reference's order; the first failure is thrown.
 */
export function decodeLockfile(opam: OpamFile, root: string): Lockfile {
  const file = opam.file;
  const version = checkVersion(opam);
  const rootPackages = required(opam, `${X}root-packages`);
  const rootNames = expectList(file, rootPackages, "LOCKFILE_INVALID").map((item) => expectString(file, item, "LOCKFILE_INVALID"));
  const dependsValue = optional(opam, "depends");
  const depends = dependsValue === undefined ? [] : conjunction(dependsValue).map((atom) => dependencyOf(file, atom));
  const pinDepends = pinDependsOf(file, optional(opam, "pin-depends"));
  const dirs = duniverseDirsOf(file, optional(opam, `${X}duniverse-dirs`));
  const depextsValue = optional(opam, "depexts");
  const depexts = depextsValue === undefined ? [] : depextItems(file, depextsValue).map((item) => depextOf(file, item));
  const read = <T>(name: string, decode: (file: string, value: Value) => T): T | undefined => {
    const value = optional(opam, `${X}${name}`);
    return value === undefined ? undefined : decode(file, value);
  };
  const globalOpamVars = read("global-opam-vars", globalVarsOfValue);
  const opamProvided = read("opam-provided", opamProvidedOfValue);
  const opamRepositories = read("opam-repositories", repositoriesOfValue)?.map((url) => rewriteRepositoryIn(url, root));
  const repos = reposOf(file, pinDepends, dirs);
  const cliArgs = cliArgsOf(file, optional(opam, `${X}cli-args`));
  return { version, rootPackages: rootNames, depends, depexts, pinDepends, repos, cliArgs, globalOpamVars, opamProvided, opamRepositories };
}
