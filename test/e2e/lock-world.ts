// Worlds for the `lock` end-to-end tests: the gen-minimal-repo equivalent (opam files copied
// from fixtures/repos/base), small repositories built inline, and readers for the lock file.
// Test support only: never imported by src/.
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { projectRoot, runCli, type CliResult } from "../helpers/cli.js";
import { opamRepo, type OpamRepoBuilder, type PkgOptions } from "../helpers/opam-repo.js";
import { testdir } from "../helpers/testdir.js";
import { expect } from "vitest";

const BASE = path.join(projectRoot, "fixtures", "repos", "base", "packages");

/** The CLI under test: bin/opam-monorepo, unless OPAM_MONOREPO_TEST_CLI names another build of it. */
export const TEST_CLI = process.env.OPAM_MONOREPO_TEST_CLI || undefined;

/** The package versions gen-minimal-repo writes (dune.2.9.1 is dune.2.9.3's opam file). */
const MINIMAL: [string, string, string][] = [
  ["base-bigarray", "base", "base"],
  ["base-threads", "base", "base"],
  ["base-unix", "base", "base"],
  ["dune", "2.9.3", "2.9.1"],
  ["ocaml", "4.13.1", "4.13.1"],
  ["ocaml-base-compiler", "4.13.1", "4.13.1"],
  ["ocaml-config", "2", "2"],
  ["ocaml-options-vanilla", "1", "1"],
];

/** Writes `<dir>` as opam-monorepo's `gen-minimal-repo` does (real opam files from the fixtures). */
export async function writeMinimalRepo(dir: string): Promise<string> {
  await mkdir(path.join(dir, "packages"), { recursive: true });
  await writeFile(path.join(dir, "repo"), 'opam-version: "2.0"\n');
  for (const [name, from, to] of MINIMAL) {
    const target = path.join(dir, "packages", name, `${name}.${to}`);
    await mkdir(target, { recursive: true });
    await cp(path.join(BASE, name, `${name}.${from}`, "opam"), path.join(target, "opam"));
  }
  return dir;
}

/** A package that builds with dune and can be vendored: url, checksum, dev-repo, build. */
/** `hash` is the tail of the sha256 (zero-padded): "1" gives 63 zeros and a 1. */
export function dunePkg(name: string, options: PkgOptions & { hash?: string } = {}): PkgOptions {
  const { hash, ...rest } = options;
  return {
    depends: ['"dune"'],
    url: `https://${name}.com/${name}.tbz`,
    checksum: [`sha256=${(hash ?? "0").padStart(64, "0")}`],
    devRepo: `git+https://github.com/${name}/${name}`,
    extra: 'build: ["dune" "build" "-p" name]',
    ...rest,
  };
}

/** A local opam file: depends (opam text items) plus extra fields. */
export function localOpam(depends: string[], extra: string[] = []): string {
  const lines = ['opam-version: "2.0"'];
  if (depends.length > 0) lines.push(`depends: [\n${depends.map((d) => `  ${d}`).join("\n")}\n]`);
  return `${[...lines, ...extra].join("\n")}\n`;
}

export const REPOS_FIELD = (...names: string[]): string =>
  `x-opam-monorepo-opam-repositories: [${names.map((n) => `"file://$OPAM_MONOREPO_CWD/${n}"`).join(" ")}]`;

export interface World {
  dir: string;
  lock(args?: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
  read(relative: string): Promise<string>;
  write(relative: string, content: string): Promise<void>;
  exists(relative: string): boolean;
}

/** A temp project with `files`, `minimal-repo/` and optional repositories written under it. */
export async function world(files: Record<string, string>, repos: Record<string, OpamRepoBuilder> = {}): Promise<World> {
  const dir = await testdir(files, "om-lock-");
  await writeMinimalRepo(path.join(dir, "minimal-repo"));
  for (const [name, repo] of Object.entries(repos)) await repo.writeTo(path.join(dir, name));
  return {
    dir,
    lock: (args = [], env = {}) => runCli(["lock", ...args], { cwd: dir, env, executable: TEST_CLI }),
    read: (relative) => readFile(path.join(dir, relative), "utf8"),
    write: async (relative, content) => {
      await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
      await writeFile(path.join(dir, relative), content);
    },
    exists: (relative) => existsSync(path.join(dir, relative)),
  };
}

export { opamRepo };

export interface LockedDepend {
  version: string;
  vendor: boolean;
}

/** `depends:` of a lock file as name → {version, vendor}; fails on any line it does not expect. */
export function lockDepends(text: string): Map<string, LockedDepend> {
  const block = /^depends: \[\n([\s\S]*?)\n\]$/m.exec(text);
  const out = new Map<string, LockedDepend>();
  if (block === null) return out;
  for (const line of block[1]!.split("\n")) {
    const match = /^ {2}"([^"]+)" \{= "([^"]+)"( & \?vendor)?\}$/.exec(line);
    if (match === null) throw new Error(`unexpected depends line: ${line}`);
    out.set(match[1]!, { version: match[2]!, vendor: match[3] !== undefined });
  }
  return out;
}

/** `"name" {= "v" & ?vendor}` style one-liners for the given names (for compact expectations). */
export function dependLines(text: string, names: string[]): string[] {
  const depends = lockDepends(text);
  return names.filter((n) => depends.has(n)).map((n) => `"${n}" {= "${depends.get(n)!.version}"${depends.get(n)!.vendor ? " & ?vendor" : ""}}`);
}

/** The value of one top-level field, as printed (its lines up to the next top-level field). */
export function lockField(text: string, name: string): string | undefined {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`${name}: `));
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && lines[end] !== "" && !/^[a-z][a-z0-9-]*:/.test(lines[end]!)) end++;
  return [lines[start]!.slice(name.length + 2), ...lines.slice(start + 1, end)].join("\n");
}

/** The four `==>` lines before the final one, for a successful lock with one target. */
export function progressLines(found: number, entries: number, lockfile: string, targets = 1): string {
  const s = targets > 1 ? "s" : "";
  return [
    `==> Using ${targets} locally scanned package${s} as the target${s}.`,
    `==> Found ${found} opam dependencies for the target package${s}.`,
    "==> Querying opam database for their metadata and Dune compatibility.",
    "==> Calculating exact pins for each of them.",
    `==> Wrote lockfile with ${entries} entries to ${lockfile}. You can now run opam monorepo pull to fetch their sources.`,
    "",
  ].join("\n");
}

/** Asserts a successful run, showing stdout/stderr when it is not. */
export function expectOk(result: CliResult): CliResult {
  if (result.code !== 0) expect(`exit ${result.code}\n${result.stdout}${result.stderr}`).toBe("exit 0");
  return result;
}

/** Whitespace-insensitive form of printed opam values (the printer wraps long lists). */
export function flat(text: string | undefined): string | undefined {
  return text?.replace(/\s+/g, " ").replace(/\[ /g, "[").replace(/ \]/g, "]");
}
