// Builds a fake but realistic opam root for tests, in the layout opam 2.2+ writes: `config`,
// `repo/repos-config`, repositories as `repo/<name>/` or `repo/<name>.tar.gz`, and switches with
// `.opam-switch/switch-config`, `switch-state` and pin overlays (global or local `_opam`).
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { OpamRepoBuilder } from "./opam-repo.js";

export interface RootRepo {
  /** `repos-config` URL (omit for a repository without a remote). */
  url?: string;
  contents: OpamRepoBuilder;
  /** How opam stores it: a directory (opam < 2.2 or `--no-tar`) or `<name>.tar.gz`. */
  storage?: "dir" | "tar";
}

export interface RootSwitch {
  /** `switch-config`'s `repositories:`; omitted → the root's selection applies. */
  repositories?: string[];
  /** e.g. `["ocaml-base-compiler.4.14.2"]` */
  compiler?: string[];
  installed?: string[];
  /** name → pinned version and optional overlay opam text. */
  pins?: Record<string, { version: string; opam?: string }>;
  /** A local switch: created as `<path>/_opam` instead of `<root>/<name>`. */
  localDir?: string;
}

export interface RootSpec {
  repositories: Record<string, RootRepo>;
  /** The root config's `repositories:` (default: every repository, in insertion order). */
  selection?: string[];
  switches: Record<string, RootSwitch>;
  /** The config's `switch:` (default: the first switch). */
  current?: string | null;
  archiveMirrors?: string[];
  downloadJobs?: number;
  globalVariables?: Record<string, string | boolean | string[]>;
}

const q = (text: string): string => JSON.stringify(text);
const list = (items: readonly string[]): string => `[${items.map(q).join(" ")}]`;

function variableText(value: string | boolean | string[]): string {
  return typeof value === "boolean" ? String(value) : Array.isArray(value) ? list(value) : q(value);
}

function configText(spec: RootSpec, switchNames: string[]): string {
  const lines = ['opam-version: "2.0"', `repositories: ${list(spec.selection ?? Object.keys(spec.repositories))}`];
  lines.push(`installed-switches: ${list(switchNames)}`);
  const current = spec.current === undefined ? switchNames[0] : spec.current;
  if (current !== null && current !== undefined) lines.push(`switch: ${q(current)}`);
  lines.push(`download-jobs: ${spec.downloadJobs ?? 3}`);
  if (spec.archiveMirrors) lines.push(`archive-mirrors: ${list(spec.archiveMirrors)}`);
  const globals = Object.entries(spec.globalVariables ?? {});
  if (globals.length > 0) {
    lines.push(`global-variables: [\n${globals.map(([n, v]) => `  [${n} ${variableText(v)} "set by the test"]`).join("\n")}\n]`);
  }
  lines.push('eval-variables: [\n  [sys-ocaml-version ["ocamlc" "-vnum"] "OCaml version present on your system"]\n]');
  return `${lines.join("\n")}\n`;
}

function reposConfigText(spec: RootSpec): string {
  const items = Object.entries(spec.repositories).map(([name, repo]) => (repo.url ? `  ${q(name)} {${q(repo.url)}}` : `  ${q(name)}`));
  return `opam-version: "2.0"\nrepositories: [\n${items.join("\n")}\n]\n`;
}

async function writeSwitch(root: string, name: string, sw: RootSwitch): Promise<void> {
  const prefix = sw.localDir ? path.join(sw.localDir, "_opam") : path.join(root, name);
  const meta = path.join(prefix, ".opam-switch");
  await mkdir(meta, { recursive: true });
  const config = ['opam-version: "2.0"', `synopsis: ${q(`switch ${name}`)}`];
  if (sw.repositories) config.push(`repositories: ${list(sw.repositories)}`);
  if (sw.localDir) config.push(`opam-root: ${q(root)}`);
  await writeFile(path.join(meta, "switch-config"), `${config.join("\n")}\n`);
  const pins = Object.entries(sw.pins ?? {});
  const compiler = sw.compiler ?? [];
  const state = ['opam-version: "2.0"', `compiler: ${list(compiler)}`, `roots: ${list(compiler)}`];
  state.push(`installed: ${list(sw.installed ?? compiler)}`);
  if (pins.length > 0) state.push(`pinned: ${list(pins.map(([n, p]) => `${n}.${p.version}`))}`);
  await writeFile(path.join(meta, "switch-state"), `${state.join("\n")}\n`);
  for (const [pkg, pin] of pins) {
    if (pin.opam === undefined) continue;
    await mkdir(path.join(meta, "overlay", pkg), { recursive: true });
    await writeFile(path.join(meta, "overlay", pkg, "opam"), pin.opam);
  }
}

/** Writes the root into `root` (created) and returns it. */
export async function writeOpamRoot(root: string, spec: RootSpec): Promise<string> {
  await mkdir(path.join(root, "repo"), { recursive: true });
  const local = (name: string, sw: RootSwitch) => (sw.localDir ? path.resolve(sw.localDir) : name);
  const switchNames = Object.entries(spec.switches).map(([name, sw]) => local(name, sw));
  await writeFile(path.join(root, "config"), configText(spec, switchNames));
  await writeFile(path.join(root, "repo", "repos-config"), reposConfigText(spec));
  for (const [name, repo] of Object.entries(spec.repositories)) {
    if (repo.storage === "tar") await repo.contents.writeTarGz(path.join(root, "repo", `${name}.tar.gz`), name);
    else await repo.contents.writeTo(path.join(root, "repo", name));
  }
  for (const [name, sw] of Object.entries(spec.switches)) await writeSwitch(root, name, sw);
  return root;
}
