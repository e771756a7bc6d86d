// Reads an opam root (OPAMROOT, default ~/.opam) without running opam: the config, the current
// switch (OPAMSWITCH, else a local `_opam` switch above the cwd, else the config's default), its
// repository selection and their contents (`repo/<name>/` or `repo/<name>.tar.gz`), its pins
// with their overlay opam files, and its installed compiler version. Never writes anything.
import { existsSync } from "node:fs";
import { bytewise } from "../core/compare.js";
import { readInputTextSync } from "../core/read-input.js";
import path from "node:path";
import { errnoCode, isUserError, UserError } from "../core/errors.js";
import { opamRoot } from "../core/paths.js";
import { parseOpam } from "../opam/parser.js";
import { packageFromOpam, type OpamPackage } from "../opam/package.js";
import type { OpamFile } from "../opam/ast.js";
import {
  readReposConfig, readRootConfig, readSwitchOpamRoot, readSwitchRepositories, readSwitchState,
  type RootConfig, type SwitchState,
} from "./opam-root-files.js";
import type { RepositorySpec } from "./repository.js";

const HINT = "run `opam init` (and `opam switch create`), set OPAMROOT/OPAMSWITCH, or list repositories explicitly with x-opam-monorepo-opam-repositories";

export interface SwitchPin {
  name: string;
  version: string;
  /** The overlay opam file (`.opam-switch/overlay/<name>/opam`), when there is one. */
  opamFile: string | undefined;
  opam: OpamPackage | undefined;
}

export interface OpamSwitchInfo {
  /** As opam names it: `default`, `5.2.0`, or the project directory of a local switch. */
  name: string;
  /** The switch prefix: `<root>/<name>` or `<project>/_opam`. */
  prefix: string;
  local: boolean;
  /** Repository names, highest priority first (switch-config, else the root config). */
  repositories: string[];
  state: SwitchState;
  /** The installed compiler's version (`ocaml.4.14.2` → `4.14.2`). */
  compilerVersion: string | undefined;
  pins: SwitchPin[];
}

export interface RootRepository {
  name: string;
  /** The URL from `repo/repos-config`, if any. */
  url: string | undefined;
  spec: RepositorySpec;
}

export interface OpamRootInfo {
  root: string;
  config: RootConfig;
  switch: OpamSwitchInfo;
  /** The current switch's repositories, highest priority first. */
  repositories: RootRepository[];
}

export interface OpamRootOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

function readOpamText(file: string): OpamFile | undefined {
  let text: string;
  try {
    text = readInputTextSync(file, "an opam root file");
  } catch (error) {
    if (isUserError(error)) throw error;
    if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR") return undefined;
    throw new UserError("OPAM_ROOT", `cannot read ${file}: ${(error as Error).message}`, { hint: HINT });
  }
  return parseOpam(text, file);
}

/** The root's `config`; OPAM_ROOT when there is no initialised root at `root`. */
export function readRootConfigAt(root: string): RootConfig {
  const file = readOpamText(path.join(root, "config"));
  if (file === undefined) throw new UserError("OPAM_ROOT", `no opam root at ${root} (no config file)`, { hint: HINT });
  return readRootConfig(file);
}

function isExternalSwitch(name: string): boolean {
  return name.startsWith(".") || name.includes("/");
}

function switchPrefix(root: string, name: string, cwd: string): string {
  return isExternalSwitch(name) ? path.join(path.resolve(cwd, name), "_opam") : path.join(root, name);
}

/** The nearest directory at or above `cwd` holding a local switch of this root. */
function localSwitchAbove(root: string, cwd: string): string | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const config = readOpamText(path.join(dir, "_opam", ".opam-switch", "switch-config"));
    const ownRoot = config === undefined ? undefined : readSwitchOpamRoot(config);
    if (config !== undefined && (ownRoot === undefined || path.resolve(ownRoot) === root)) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function currentSwitchName(root: string, config: RootConfig, options: OpamRootOptions = {}): string {
  const env = options.env ?? process.env;
  if (env.OPAMSWITCH !== undefined && env.OPAMSWITCH !== "") return env.OPAMSWITCH;
  const local = localSwitchAbove(root, options.cwd ?? process.cwd());
  if (local !== undefined) return local;
  if (config.switch !== undefined) return config.switch;
  throw new UserError("OPAM_ROOT", `no current opam switch in ${root}`, { hint: HINT });
}

function splitId(id: string): { name: string; version: string } | undefined {
  const dot = id.indexOf(".");
  return dot <= 0 || dot === id.length - 1 ? undefined : { name: id.slice(0, dot), version: id.slice(dot + 1) };
}

/** `ocaml.X` among the installed packages, else the version of the compiler package. */
export function compilerVersionOf(state: SwitchState): string | undefined {
  const ocaml = state.installed.map(splitId).find((id) => id?.name === "ocaml");
  if (ocaml !== undefined) return ocaml.version;
  const compiler = state.compiler.map(splitId).find((id) => id !== undefined && /^ocaml-(base-compiler|system|variants)$/u.test(id.name));
  return compiler?.version.replace(/\+.*$/u, "");
}

/** Pinned packages, sorted by name, with their overlay opam files parsed. */
function readPins(prefix: string, pinned: readonly string[]): SwitchPin[] {
  return pinned.flatMap((id) => {
    const split = splitId(id);
    if (split === undefined) return [];
    const file = path.join(prefix, ".opam-switch", "overlay", split.name, "opam");
    const parsed = readOpamText(file);
    const opam = parsed === undefined ? undefined : packageFromOpam(parsed, split.name, split.version);
    return [{ ...split, opamFile: parsed === undefined ? undefined : file, opam }];
  }).sort((x, y) => bytewise(x.name, y.name));
}

function readSwitch(root: string, config: RootConfig, name: string, cwd: string): OpamSwitchInfo {
  const prefix = switchPrefix(root, name, cwd);
  const meta = path.join(prefix, ".opam-switch");
  const switchConfig = readOpamText(path.join(meta, "switch-config"));
  if (switchConfig === undefined) {
    throw new UserError("OPAM_ROOT", `opam switch ${name} does not exist (no ${path.join(meta, "switch-config")})`, { hint: HINT });
  }
  const stateFile = readOpamText(path.join(meta, "switch-state"));
  const state = stateFile === undefined ? { compiler: [], roots: [], installed: [], pinned: [] } : readSwitchState(stateFile);
  return {
    name: isExternalSwitch(name) ? path.resolve(cwd, name) : name,
    prefix,
    local: isExternalSwitch(name),
    repositories: readSwitchRepositories(switchConfig) ?? config.repositories,
    state,
    compilerVersion: compilerVersionOf(state),
    pins: readPins(prefix, state.pinned),
  };
}

/** Where repository `name`'s contents are: `repo/<name>/` (preferred, as opam does) or `.tar.gz`. */
function rootRepository(root: string, name: string, urls: ReadonlyMap<string, string | undefined>, switchName: string): RootRepository {
  const dir = path.join(root, "repo", name);
  const archive = `${dir}.tar.gz`;
  const url = urls.get(name);
  if (existsSync(dir)) return { name, url, spec: { kind: "directory", path: dir, url: url ?? `file://${dir}`, label: name } };
  if (existsSync(archive)) return { name, url, spec: { kind: "archive", path: archive, url: url ?? `file://${archive}`, label: name } };
  throw new UserError("OPAM_ROOT", `repository ${name} of opam switch ${switchName} has no contents (neither ${dir} nor ${archive})`, {
    hint: "run `opam update`, or list repositories explicitly with x-opam-monorepo-opam-repositories",
  });
}

/** Everything switch mode needs from the opam root. */
export function readOpamRoot(options: OpamRootOptions = {}): OpamRootInfo {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const root = opamRoot(env);
  const config = readRootConfigAt(root);
  const current = readSwitch(root, config, currentSwitchName(root, config, { env, cwd }), cwd);
  const reposConfig = readOpamText(path.join(root, "repo", "repos-config"));
  const urls = reposConfig === undefined ? new Map<string, string | undefined>() : readReposConfig(reposConfig);
  if (current.repositories.length === 0) {
    throw new UserError("OPAM_ROOT", `opam switch ${current.name} has no repositories`, { hint: HINT });
  }
  const repositories = current.repositories.map((name) => rootRepository(root, name, urls, current.name));
  return { root, config, switch: current, repositories };
}
