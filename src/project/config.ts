// The source configuration of `lock`: the three `x-opam-monorepo-*` fields of the target opam
// files, merged, then the CLI replace/add flags; `$OPAM_MONOREPO_CWD` rewriting. Pure.
import path from "node:path";
import { UserError } from "../core/errors.js";
import { findField, type OpamFile, type Value } from "../opam/ast.js";
import type { GlobalVarValue } from "../lockfile/model.js";
import { repositoryUrlProblem } from "./cli-list.js";
import { expectList, expectPair, expectString, unexpectedValue, valueError } from "../opam/values.js";
import { packageNameProblem } from "./package-name.js";

export const REPOSITORIES_FIELD = "x-opam-monorepo-opam-repositories";
export const GLOBAL_VARS_FIELD = "x-opam-monorepo-global-opam-vars";
export const OPAM_PROVIDED_FIELD = "x-opam-monorepo-opam-provided";
export const CWD_VARIABLE = "$OPAM_MONOREPO_CWD";
export const OPAM_REPOSITORY_GIT_URL = "git+https://github.com/ocaml/opam-repository.git";

/** Each field is undefined when no opam file and no flag sets it. */
export interface SourceConfig {
  /** Repository URLs in declaration order (first listed has priority), de-duplicated. */
  repositories: string[] | undefined;
  globalVars: Map<string, GlobalVarValue> | undefined;
  opamProvided: string[] | undefined;
}

export const EMPTY_CONFIG: SourceConfig = { repositories: undefined, globalVars: undefined, opamProvided: undefined };

/** `x-opam-monorepo-opam-repositories: [ "url" … ]` */
export function repositoriesOfValue(file: string, value: Value): string[] {
  const urls = expectList(file, value, "CONFIG_INVALID").map((item) => {
    const url = expectString(file, item, "CONFIG_INVALID");
    const problem = repositoryUrlProblem(url);
    if (problem !== undefined) throw valueError(file, item, `Invalid repository URL ${JSON.stringify(url)}: ${problem}`, "CONFIG_INVALID");
    return url;
  });
  return [...new Set(urls)];
}

function globalVarValueOf(file: string, value: Value): GlobalVarValue {
  if (value.kind === "bool") return value.value;
  if (value.kind === "list" && value.items.every((item) => item.kind === "string")) return value.items.map((item) => expectString(file, item));
  if (value.kind === "string") return value.value;
  throw unexpectedValue(file, value, "a boolean, a list or a string", "CONFIG_INVALID");
}

/** `x-opam-monorepo-global-opam-vars: [ ["name" value] … ]`; a name may appear once. */
export function globalVarsOfValue(file: string, value: Value): Map<string, GlobalVarValue> {
  const vars = new Map<string, GlobalVarValue>();
  for (const item of expectList(file, value, "CONFIG_INVALID")) {
    const [nameValue, varValue] = expectPair(file, item, "CONFIG_INVALID");
    const name = expectString(file, nameValue, "CONFIG_INVALID");
    const content = globalVarValueOf(file, varValue);
    if (vars.has(name)) throw valueError(file, value, `Opam global variable ${name} is defined more than once`, "CONFIG_INVALID");
    vars.set(name, content);
  }
  return vars;
}

/** `x-opam-monorepo-opam-provided: "pkg"` or `[ "pkg" … ]`. */
export function opamProvidedOfValue(file: string, value: Value): string[] {
  let names: string[];
  if (value.kind === "string") names = [value.value];
  else if (value.kind === "list" && value.items.every((item) => item.kind === "string")) names = value.items.map((item) => expectString(file, item));
  else throw unexpectedValue(file, value, "a list or a string", "CONFIG_INVALID");
  for (const name of names) {
    const problem = packageNameProblem(name);
    if (problem !== undefined) throw valueError(file, value, problem, "CONFIG_INVALID");
  }
  return [...new Set(names)];
}

/** The three fields as written in one opam file (no rewriting). */
export function sourceConfigOfOpam(opam: OpamFile): SourceConfig {
  const read = <T>(name: string, decode: (file: string, value: Value) => T): T | undefined => {
    const field = findField(opam.items, name);
    return field === undefined ? undefined : decode(opam.file, field.value);
  };
  return {
    repositories: read(REPOSITORIES_FIELD, repositoriesOfValue),
    globalVars: read(GLOBAL_VARS_FIELD, globalVarsOfValue),
    opamProvided: read(OPAM_PROVIDED_FIELD, opamProvidedOfValue),
  };
}

function sameVarValue(a: GlobalVarValue, b: GlobalVarValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function mergeGlobalVars(a: Map<string, GlobalVarValue>, b: Map<string, GlobalVarValue>): Map<string, GlobalVarValue> {
  const merged = new Map(a);
  for (const [name, value] of b) {
    const known = merged.get(name);
    if (known !== undefined && !sameVarValue(known, value)) {
      throw new UserError(
        "CONFIG_INVALID",
        `Environment variable ${name} is set to different values in different opam files global-opam-vars field`,
        { hint: `${name} is ${JSON.stringify(known)} in one and ${JSON.stringify(value)} in another` },
      );
    }
    merged.set(name, value);
  }
  return merged;
}

function mergeField<T>(a: T | undefined, b: T | undefined, merge: (x: T, y: T) => T): T | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return merge(a, b);
}

const union = (a: string[], b: string[]): string[] => [...new Set([...a, ...b])];

/** Union of two configurations (opam files, or CLI `--add-*` with opam files), `a` first. */
export function mergeSourceConfigs(a: SourceConfig, b: SourceConfig): SourceConfig {
  return {
    repositories: mergeField(a.repositories, b.repositories, union),
    globalVars: mergeField(a.globalVars, b.globalVars, mergeGlobalVars),
    opamProvided: mergeField(a.opamProvided, b.opamProvided, union),
  };
}

/** The merged configuration of the target opam files, in the order given. */
export function sourceConfigOfTargets(opamFiles: readonly OpamFile[]): SourceConfig {
  return opamFiles.map(sourceConfigOfOpam).reduce(mergeSourceConfigs, EMPTY_CONFIG);
}

/** `--<field>` (replace) and `--add-<field>` values from the command line. */
export interface CliConfig {
  replace: SourceConfig;
  add: SourceConfig;
}

const FILE_URL = /^((?:[a-z0-9]+\+)?file:\/\/)([^#]*)(#.*)?$/i;

function cwdMisuse(url: string): UserError {
  return new UserError(
    "CONFIG_INVALID",
    `$OPAM_MONOREPO_CWD can only be used to rewrite the root part of file:// URLs. ${JSON.stringify(url)} is an invalid use of the variable.`,
  );
}

/** `file://$OPAM_MONOREPO_CWD/x` → `file://<root>/x`; the variable anywhere else is an error. */
export function rewriteRepositoryIn(url: string, root: string): string {
  if (!url.includes(CWD_VARIABLE)) return url;
  const match = FILE_URL.exec(url);
  const urlPath = match?.[2] ?? "";
  const rest = urlPath.slice(CWD_VARIABLE.length);
  if (match === null || !urlPath.startsWith(CWD_VARIABLE) || !(rest === "" || rest.startsWith("/")) || rest.includes(CWD_VARIABLE)) {
    throw cwdMisuse(url);
  }
  return `${match[1]}${path.resolve(root)}${rest}${match[3] ?? ""}`;
}

/** `file://<root>/x` → `file://$OPAM_MONOREPO_CWD/x`, for whole path components of the root only. */
export function rewriteRepositoryOut(url: string, root: string): string {
  const match = FILE_URL.exec(url);
  if (match === null) return url;
  const absoluteRoot = path.resolve(root);
  const urlPath = match[2]!;
  const rest = urlPath.slice(absoluteRoot.length);
  if (!urlPath.startsWith(absoluteRoot) || !(rest === "" || rest.startsWith("/"))) return url;
  return `${match[1]}${CWD_VARIABLE}${rest}${match[3] ?? ""}`;
}

/** `https://opam.ocaml.org` is fetched as the opam-repository git repository. */
export function repositorySourceUrl(url: string): string {
  return /^https?:\/\/opam\.ocaml\.org\/?$/.test(url) ? OPAM_REPOSITORY_GIT_URL : url;
}

function rewriteConfigIn(config: SourceConfig, root: string): SourceConfig {
  const repositories = config.repositories?.map((url) => repositorySourceUrl(rewriteRepositoryIn(url, root)));
  return { ...config, repositories: repositories === undefined ? undefined : [...new Set(repositories)] };
}

/**
 * The configuration `lock` uses: for each field, the CLI replace value if given, else the CLI
 * add value merged with the target opam files' value. Repository URLs are rewritten in.
 */
export function makeSourceConfig(root: string, fromOpamFiles: SourceConfig, cli: CliConfig): SourceConfig {
  const files = rewriteConfigIn(fromOpamFiles, root);
  const add = rewriteConfigIn(cli.add, root);
  const replace = rewriteConfigIn(cli.replace, root);
  const merged = mergeSourceConfigs(files, add);
  return {
    repositories: replace.repositories ?? merged.repositories,
    globalVars: replace.globalVars ?? merged.globalVars,
    opamProvided: replace.opamProvided ?? merged.opamProvided,
  };
}
