// Runs the real CLI (bin/opam-monorepo, built dist/) as a child process with a pinned
// environment: no colour, HOME/XDG_CACHE_HOME/OPAMROOT inside the test's temp dir.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const cliPath = path.join(projectRoot, "bin", "opam-monorepo");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  /** Temp dir used for HOME, XDG_CACHE_HOME and (unless given in env) OPAMROOT. */
  home?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Path to the executable (defaults to bin/opam-monorepo). */
  executable?: string;
}

export function pinnedEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CACHE_HOME: path.join(home, ".cache"),
    OPAMROOT: path.join(home, ".opam"),
    NO_COLOR: "1",
    LANG: "C.UTF-8",
    TMPDIR: process.env.TMPDIR,
  };
  return { ...base, ...extra };
}

export function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const home = options.home ?? options.cwd;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.executable ?? cliPath, ...args], {
      cwd: options.cwd,
      env: pinnedEnv(home, options.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}
