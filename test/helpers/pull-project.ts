// A project for end-to-end `pull` tests of the real CLI: a dune-project and a lock file whose
// repositories are given (archives served on 127.0.0.1), and a pull started as a child process
// that a test can signal, kill or run alongside another.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { DuniverseRepo } from "../../src/duniverse/plan.js";
import { lockfileText } from "../../src/lockfile/file.js";
import { pinDependsOfRepos } from "../../src/lockfile/encode.js";
import { cliPath, pinnedEnv } from "./cli.js";

export const LOCKFILE_NAME = "p.opam.locked";

/** `root` with a dune-project and `p.opam.locked` pinning `repos` (and an ocaml dependency). */
export function writePullProject(root: string, repos: readonly DuniverseRepo[]): string {
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, "dune-project"), "(lang dune 3.0)\n");
  const depends = [{ name: "ocaml", version: "4.14.1", vendored: false }, ...repos.flatMap((repo) => repo.provides.map((ref) => ({ ...ref, vendored: true })))];
  const text = lockfileText({
    version: "0.3", rootPackages: ["p"], depends, depexts: [], pinDepends: pinDependsOfRepos(repos), repos: [...repos],
    cliArgs: undefined, globalOpamVars: undefined, opamProvided: undefined, opamRepositories: undefined,
  });
  writeFileSync(path.join(root, LOCKFILE_NAME), text);
  return root;
}

export interface RunningPull {
  child: ChildProcess;
  /** Output so far (complete once `exited` has resolved). */
  output: { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** `opam-monorepo pull <args>` in `root` (its own process group), with a pinned environment. */
export function startCliPull(root: string, args: readonly string[], env: NodeJS.ProcessEnv): RunningPull {
  const child = spawn(process.execPath, [cliPath, "pull", ...args], {
    cwd: root,
    env: pinnedEnv(path.join(root, ".."), env),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const output = { stdout: "", stderr: "" };
  child.stdout!.on("data", (chunk: Buffer) => (output.stdout += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output.stderr += chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, ...output })),
  );
  return { child, output, exited };
}

export async function waitFor(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The state of `<root>/duniverse` against two expected trees: which one it is, if either. */
export type TreeState = "absent" | "v1" | "v2" | "other";

/** Every visible entry of `duniverse/` and the version marker of each repository. */
export function treeState(duniverse: string, dirs: readonly string[]): TreeState {
  let entries: string[];
  try {
    entries = readdirSync(duniverse).filter((name) => !name.startsWith(".")).sort();
  } catch {
    return "absent";
  }
  if (entries.join("/") !== [...dirs, "README.md", "dune"].sort().join("/")) return "other";
  const versions = new Set(dirs.map((dir) => readFileSync(path.join(duniverse, dir, "VERSION"), "utf8").trim()));
  if (versions.size !== 1) return "other";
  const [version] = versions;
  return version === "v1" || version === "v2" ? version : "other";
}

/** Names under `dir` that a pull may leave only while it runs (staging, lock, old trees; not the manifest). */
export function leftovers(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.startsWith(".opam-monorepo") && name !== ".opam-monorepo-manifest.json");
  } catch {
    return [];
  }
}
