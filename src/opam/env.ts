// Variable environments for opam filters: a lookup function plus builders (global variables,
// OPAMVAR_* overrides, dependency flags, package variables, host detection as opam polls it).
// Pure except detectHostFacts/hostGlobalEnv, which read files and may run one command.
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readFile } from "../core/async-fs.js";
import { runCommand } from "../core/exec.js";

/** What a variable holds (opam's B / S / L). */
export type EnvValue = boolean | string | readonly string[];

/**
 * Answers one variable. `scope` is undefined for a global variable (`os`), `"_"` for the
 * package's own scope (`_:version`), or a package name (`ocaml:version`). Undefined = unknown.
 */
export type Env = (variable: string, scope?: string) => EnvValue | undefined;

export const SELF_SCOPE = "_";

export const emptyEnv: Env = () => undefined;

/** The first environment that defines the variable wins. */
export function mergeEnvs(...envs: readonly Env[]): Env {
  return (variable, scope) => {
    for (const env of envs) {
      const value = env(variable, scope);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}

/**
 * Wraps `env` to call `report` once per distinct variable it cannot answer, named `var` or
 * `scope:var` (opam-0install's `Unknown variable "x"` warning).
 */
export function reportUnknownVariables(env: Env, report: (name: string) => void): Env {
  const seen = new Set<string>();
  return (variable, scope) => {
    const value = env(variable, scope);
    if (value === undefined) {
      const name = scope === undefined ? variable : `${scope}:${variable}`;
      if (!seen.has(name)) {
        seen.add(name);
        report(name);
      }
    }
    return value;
  };
}

/** Global variables: os, arch, os-family, os-distribution, os-version, opam-version, jobs, make, sys-ocaml-*… */
export type GlobalVariables = Readonly<Record<string, EnvValue | undefined>>;

export function globalEnv(variables: GlobalVariables): Env {
  const map = new Map<string, EnvValue>();
  for (const [name, value] of Object.entries(variables)) if (value !== undefined) map.set(name, value);
  return (variable, scope) => (scope === undefined ? map.get(variable) : undefined);
}

function undash(name: string): string {
  return name.replace(/-/g, "_");
}

function envVarValue(text: string): EnvValue {
  return text === "true" ? true : text === "false" ? false : text;
}

/**
 * `OPAMVAR_<var>` (global) and `OPAMVAR_<pkg>_<var>` (package scope) from a process
 * environment, as opam reads them: `-` spelled `_` (the literal `-` spelling is accepted too),
 * `"true"`/`"false"` become booleans. Put it first in mergeEnvs: overrides win.
 */
export function opamVarOverrides(processEnv: Readonly<Record<string, string | undefined>>): Env {
  return (variable, scope) => {
    if (scope === SELF_SCOPE) return undefined;
    const spellings =
      scope === undefined ? [undash(variable), variable] : [`${undash(scope)}_${undash(variable)}`, `${scope}_${variable}`];
    for (const name of spellings) {
      const text = processEnv[`OPAMVAR_${name}`];
      if (text !== undefined) return envVarValue(text);
    }
    return undefined;
  };
}

/** The flags opam's filter_deps gives to depends/depopts/conflicts filters. */
export interface DependencyFlags {
  build: boolean;
  post: boolean;
  withTest: boolean;
  withDoc: boolean;
  withDevSetup: boolean;
  dev: boolean;
}

export function dependencyFlagsEnv(flags: DependencyFlags): Env {
  const values = new Map<string, boolean>([
    ["build", flags.build],
    ["post", flags.post],
    ["with-test", flags.withTest],
    ["with-doc", flags.withDoc],
    ["with-dev-setup", flags.withDevSetup],
    ["dev", flags.dev],
  ]);
  return (variable, scope) => (scope === undefined ? values.get(variable) : undefined);
}

/**
 * `name` and `version` of the package being evaluated, globally, as `_:var` and as `<name>:var`.
 * (opam-0install's Dir_context answers `version` but not `name`; layer accordingly.)
 */
export function packageEnv(name: string, version: string): Env {
  return (variable, scope) => {
    if (scope !== undefined && scope !== SELF_SCOPE && scope !== name) return undefined;
    return variable === "name" ? name : variable === "version" ? version : undefined;
  };
}

// ---- Host detection (opam's OpamSysPoll) -------------------------------------------------------

/** `uname -m` → opam arch (normalise_arch). */
export function normaliseArch(raw: string): string {
  const a = raw.toLowerCase();
  switch (a) {
    case "x86":
    case "i386":
    case "i586":
    case "i686":
      return "x86_32";
    case "x86_64":
    case "amd64":
      return "x86_64";
    case "powerpc":
    case "ppc":
    case "ppcle":
      return "ppc32";
    case "ppc64":
    case "ppc64le":
      return "ppc64";
    case "aarch64_be":
    case "aarch64":
      return "arm64";
  }
  if (a === "armv8b" || a === "armv8l" || ["armv5", "armv6", "earmv6", "armv7", "earmv7"].some((p) => a.startsWith(p))) return "arm32";
  return a;
}

/** `uname -s` (or OCaml's Sys.os_type off Unix) → opam os (normalise_os). */
export function normaliseOs(raw: string): string {
  const s = raw.toLowerCase();
  return s === "darwin" || s === "osx" ? "macos" : s;
}

/**
 * Key/value pairs of an os-release file, read like opam does: the value is the first
 * whitespace-separated token after `=`, with a leading `"` (and the closing one) removed.
 */
export function parseOsRelease(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const token = line.slice(eq + 1).trim().split(/[ \t]/)[0] ?? "";
    let value = token;
    if (token.startsWith('"')) {
      const close = token.indexOf('"', 1);
      value = close < 0 ? token.slice(1) : token.slice(1, close);
    }
    if (!fields.has(line.slice(0, eq))) fields.set(line.slice(0, eq), value);
  }
  return fields;
}

/** What opam polls, gathered by detectHostFacts (or given by a test). */
export interface HostFacts {
  /** `uname -s` (`os.type()`), or `Win32` / `Cygwin` on those platforms. */
  system: string;
  /** `uname -m` (`os.machine()`). */
  machine: string;
  /** Contents of /etc/os-release (or /usr/lib/os-release), when present. */
  osRelease?: string;
  /** Android only: `getprop ro.build.version.release`. */
  androidRelease?: string;
  /** macOS only: which of `brew` / `port` is on PATH. */
  hasBrew?: boolean;
  hasPort?: boolean;
  /** Non-Linux os-version as opam polls it: sw_vers -productVersion, uname -U (FreeBSD), uname -r, Windows version. */
  osVersion?: string;
}

function norm(text: string | undefined): string | undefined {
  return text === undefined || text === "" ? undefined : text.toLowerCase();
}

/** arch, os, os-distribution, os-version, os-family from host facts (undefined ones omitted). */
export function platformVariables(facts: HostFacts): Record<string, string> {
  const os = norm(facts.system) === undefined ? undefined : normaliseOs(facts.system);
  const release = facts.osRelease === undefined ? new Map<string, string>() : parseOsRelease(facts.osRelease);
  let distribution: string | undefined = os;
  let version = norm(facts.osVersion);
  if (os === "macos") distribution = facts.hasBrew ? "homebrew" : facts.hasPort ? "macports" : os;
  if (os === "linux") {
    distribution = facts.androidRelease !== undefined ? "android" : (norm(release.get("ID")) ?? os);
    version = norm(facts.androidRelease) ?? norm(release.get("VERSION_ID"));
  }
  let family = distribution;
  if (os === "linux") family = norm(release.get("ID_LIKE")?.split(/[ \t]/)[0]) ?? distribution;
  else if (os === "freebsd" || os === "openbsd" || os === "netbsd" || os === "dragonfly") family = "bsd";
  else if (os === "win32" || os === "cygwin") family = "windows";
  const arch = norm(facts.machine) === undefined ? undefined : normaliseArch(facts.machine);
  const out: Record<string, string> = {};
  const entries: [string, string | undefined][] = [
    ["arch", arch],
    ["os", os],
    ["os-distribution", distribution],
    ["os-version", version],
    ["os-family", family],
  ];
  for (const [name, value] of entries) if (value !== undefined) out[name] = value;
  return out;
}

function onPath(command: string, pathVariable: string | undefined): boolean {
  if (!pathVariable) return false;
  return pathVariable.split(path.delimiter).some((dir) => dir !== "" && existsSync(path.join(dir, command)));
}

async function firstLine(command: string, args: string[]): Promise<string | undefined> {
  try {
    const lines = (await runCommand(command, args)).stdout.split("\n").filter((l) => l.trim() !== "");
    return lines.length === 1 ? lines[0]!.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** Polls the real host (reads os-release, looks up brew/port, runs sw_vers or uname -U if needed). */
export async function detectHostFacts(processEnv: NodeJS.ProcessEnv = process.env): Promise<HostFacts> {
  const platform = process.platform;
  if (platform === "win32") {
    const wide = process.arch !== "ia32" || processEnv.PROCESSOR_ARCHITEW6432 !== undefined;
    return { system: "Win32", machine: wide ? "x86_64" : "i686", osVersion: os.release() };
  }
  const facts: HostFacts = { system: platform === "cygwin" ? "Cygwin" : os.type(), machine: os.machine() };
  const system = normaliseOs(facts.system);
  if (system === "linux") {
    for (const file of ["/etc/os-release", "/usr/lib/os-release"]) {
      const text = await readFile(file, "utf8").catch(() => undefined);
      if (text !== undefined) {
        facts.osRelease = text;
        break;
      }
    }
    if (platform === "android") facts.androidRelease = await firstLine("getprop", ["ro.build.version.release"]);
  } else if (system === "macos") {
    facts.hasBrew = onPath("brew", processEnv.PATH);
    facts.hasPort = onPath("port", processEnv.PATH);
    facts.osVersion = await firstLine("sw_vers", ["-productVersion"]);
  } else if (system === "freebsd") {
    facts.osVersion = await firstLine("uname", ["-U"]);
  } else {
    facts.osVersion = os.release();
  }
  return facts;
}

/** The host's polled variables with `OPAMVAR_*` overrides from `processEnv` on top. */
export async function hostGlobalEnv(processEnv: NodeJS.ProcessEnv = process.env): Promise<Env> {
  const variables = platformVariables(await detectHostFacts(processEnv));
  return mergeEnvs(opamVarOverrides(processEnv), globalEnv(variables));
}
