// Differential harness: one lock request run by the real opam-monorepo 0.4.3
// (../shared/reference-tool/run-reference) and by ours (bin/opam-monorepo, built dist/) in two
// copies of the same project, classified as identical, a documented difference (ours equals the
// reference run on the neutralised input, and differs from it on the original), both failing
// alike, or differing. Used by test/differential/*.test.ts and bench/differential.ts.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..").replace(/\/dist$/, "");
export const referenceTool = path.resolve(projectRoot, "../shared/reference-tool/run-reference");
const oursCli = path.join(projectRoot, "bin", "opam-monorepo");

/** Why the differential tests cannot run here, or undefined when they can. */
export function unavailableReason(): string | undefined {
  if (!existsSync(referenceTool)) return `${referenceTool} is absent (the real opam-monorepo 0.4.3)`;
  if (!existsSync(path.resolve(projectRoot, "../shared/data"))) return "../shared/data (the opam repository snapshots) is absent";
  return undefined;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The lock file written (undefined when there is none). */
  lock: string | undefined;
}

/** A project: files relative to its directory, the lock arguments, extra environment. */
export interface Project {
  files: Record<string, string>;
  args: string[];
  env: Record<string, string>;
  /** The lock file the run writes, relative to the project. */
  lockfile: string;
  /** false: write the files over the directory as it is (a second step of the same project). */
  fresh?: boolean;
}

export interface Sandbox {
  /** Scratch directory for projects. */
  dir: string;
  /** HOME / XDG_CACHE_HOME of our runs (the index cache is shared by every run of a sandbox). */
  home: string;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function writeProject(dir: string, project: Project): Promise<void> {
  if (project.fresh !== false) await rm(dir, { recursive: true, force: true });
  for (const [relative, content] of Object.entries(project.files)) {
    await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
    await writeFile(path.join(dir, relative), content);
  }
  await mkdir(dir, { recursive: true });
}

async function readLock(dir: string, project: Project): Promise<string | undefined> {
  try {
    return await readFile(path.join(dir, project.lockfile), "utf8");
  } catch {
    return undefined;
  }
}

/** Messages with the project directory written `<project>` (each tool runs in its own copy). */
function placeholder<T extends { stdout: string; stderr: string }>(result: T, dir: string): T {
  return { ...result, stdout: result.stdout.replaceAll(dir, "<project>"), stderr: result.stderr.replaceAll(dir, "<project>") };
}

const baseEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, LANG: "C.UTF-8", NO_COLOR: "1", TMPDIR: process.env.TMPDIR });

/** The reference on `project` in `dir` (its own opam root, as run-reference makes it, unless OPAMROOT is given). */
export async function runReference(dir: string, project: Project, command = "lock"): Promise<RunResult> {
  await writeProject(dir, project);
  const env = { ...baseEnv(), HOME: process.env.HOME, ...project.env };
  const result = await run(referenceTool, [command, ...project.args], dir, env);
  return { ...placeholder(result, dir), lock: await readLock(dir, project) };
}

/** Ours on `project` in `dir`. */
export async function runOurs(dir: string, project: Project, sandbox: Sandbox, command = "lock"): Promise<RunResult> {
  await writeProject(dir, project);
  const env = { ...baseEnv(), HOME: sandbox.home, XDG_CACHE_HOME: path.join(sandbox.home, ".cache"), OPAMROOT: path.join(sandbox.home, "no-opam-root"), ...project.env };
  const result = await run(process.execPath, [oursCli, command, ...project.args], dir, env);
  return { ...placeholder(result, dir), lock: await readLock(dir, project) };
}

/** The first `[ERROR]` line, without the program name (the reference calls itself opam-monorepo-0.4.3). */
export function firstError(stderr: string): string | undefined {
  const line = stderr.split("\n").find((text) => text.includes("[ERROR]"));
  return line?.slice(line.indexOf("[ERROR]"));
}

/** The text without the named top-level fields (a field runs to the next unindented line). */
export function withoutFields(text: string, names: readonly string[]): string {
  const out: string[] = [];
  let skipping = false;
  for (const line of text.split("\n")) {
    const top = /^([a-z][a-z0-9-]*):/.exec(line);
    if (top !== null) skipping = names.includes(top[1]!);
    else if (line === "") skipping = false;
    if (!skipping) out.push(line);
  }
  return out.join("\n");
}

/** The first differing line of two texts, for messages. */
export function firstDifference(a: string, b: string): string {
  const x = a.split("\n");
  const y = b.split("\n");
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}: reference ${JSON.stringify(x[i])} / ours ${JSON.stringify(y[i])}`;
  }
  return "no difference";
}
