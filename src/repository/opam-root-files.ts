// Readers for opam's own state files (opam syntax): the root `config`, `repo/repos-config`,
// a switch's `switch-config` and `switch-state`. Pure over the parsed AST; values are taken as
// opam's printer writes them, with its single-element list coercion.
import { UserError } from "../core/errors.js";
import { findField, type Item, type OpamFile, type Value } from "../opam/ast.js";
import type { EnvValue } from "../opam/env.js";

export interface RootConfig {
  /** Default repository selection (`repositories:`), highest priority first. */
  repositories: string[];
  installedSwitches: string[];
  /** The default switch (`switch:`). */
  switch: string | undefined;
  archiveMirrors: string[];
  downloadJobs: number | undefined;
  globalVariables: Map<string, EnvValue>;
  /** `eval-variables`: a variable and the command whose output gives its value. */
  evalVariables: { name: string; command: string[] }[];
}

export interface SwitchState {
  compiler: string[];
  roots: string[];
  installed: string[];
  /** `name.version` of each pinned package. */
  pinned: string[];
}

function bad(file: OpamFile, value: Value, message: string): UserError {
  return new UserError("OPAM_ROOT", `${file.file}:${value.pos.line}:${value.pos.col}: ${message}`);
}

/** The elements of a list value; a lone value counts as a one-element list. */
function elements(value: Value): Value[] {
  return value.kind === "list" ? value.items : [value];
}

function stringOf(file: OpamFile, value: Value): string {
  const inner = value.kind === "option" ? value.value : value;
  if (inner.kind !== "string") throw bad(file, value, "expected a string");
  return inner.value;
}

function fieldValue(items: readonly Item[], name: string): Value | undefined {
  return findField(items, name)?.value;
}

function strings(file: OpamFile, name: string): string[] {
  const value = fieldValue(file.items, name);
  return value === undefined ? [] : elements(value).map((item) => stringOf(file, item));
}

function variableValue(file: OpamFile, value: Value): EnvValue {
  if (value.kind === "bool") return value.value;
  if (value.kind === "string") return value.value;
  if (value.kind === "list") return value.items.map((item) => stringOf(file, item));
  throw bad(file, value, "expected a boolean, a string or a list of strings");
}

/** `[[name value "doc"] …]`: a list of lists whose head is an identifier. */
function triples(file: OpamFile, name: string): [string, Value][] {
  const value = fieldValue(file.items, name);
  if (value === undefined) return [];
  const rows = value.kind === "list" && value.items.every((item) => item.kind === "list") ? value.items : [value];
  return rows.map((row) => {
    const items = elements(row);
    const head = items[0];
    if (head?.kind !== "ident" || items.length < 2) throw bad(file, row, `expected [name value "description"] in ${name}`);
    return [head.name, items[1]!];
  });
}

export function readRootConfig(file: OpamFile): RootConfig {
  const switchValue = fieldValue(file.items, "switch");
  const jobs = fieldValue(file.items, "download-jobs");
  return {
    repositories: strings(file, "repositories"),
    installedSwitches: strings(file, "installed-switches"),
    switch: switchValue === undefined ? undefined : stringOf(file, switchValue),
    archiveMirrors: strings(file, "archive-mirrors"),
    downloadJobs: jobs?.kind === "int" ? jobs.value : undefined,
    globalVariables: new Map(triples(file, "global-variables").map(([n, v]) => [n, variableValue(file, v)])),
    evalVariables: triples(file, "eval-variables").map(([n, v]) => ({ name: n, command: elements(v).map((c) => stringOf(file, c)) })),
  };
}

/** `repos-config`: repository name → URL (undefined for a repository without a remote). */
export function readReposConfig(file: OpamFile): Map<string, string | undefined> {
  const value = fieldValue(file.items, "repositories");
  const out = new Map<string, string | undefined>();
  for (const item of value === undefined ? [] : elements(value)) {
    const name = stringOf(file, item);
    const url = item.kind === "option" ? item.options.find((option) => option.kind === "string") : undefined;
    out.set(name, url?.kind === "string" ? url.value : undefined);
  }
  return out;
}

/** `switch-config`'s `repositories:` (undefined when absent: the root's selection applies). */
export function readSwitchRepositories(file: OpamFile): string[] | undefined {
  return fieldValue(file.items, "repositories") === undefined ? undefined : strings(file, "repositories");
}

/** `switch-config`'s `opam-root:` (set for local switches). */
export function readSwitchOpamRoot(file: OpamFile): string | undefined {
  const value = fieldValue(file.items, "opam-root");
  return value === undefined ? undefined : stringOf(file, value);
}

export function readSwitchState(file: OpamFile): SwitchState {
  return {
    compiler: strings(file, "compiler"),
    roots: strings(file, "roots"),
    installed: strings(file, "installed"),
    pinned: strings(file, "pinned"),
  };
}
