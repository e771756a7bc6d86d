// Runs an external program (git, tar, bzip2, package managers) without a shell and turns a
// failure into a UserError that names the command and quotes the end of its stderr.
import { UserError, type ErrorCode } from "./errors.js";

// child_process (with net and dgram behind it) costs ~10 ms to load: only a command that runs one pays.
let childProcess: Promise<typeof import("node:child_process")> | undefined;
const loadChildProcess = () => (childProcess ??= import("node:child_process"));

export interface RunResult {
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  errorCode?: ErrorCode;
}

export async function runCommand(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { spawn } = await loadChildProcess();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk));
    if (options.input !== undefined) child.stdin?.end(options.input);
    const shown = [command, ...args].join(" ");
    child.on("error", (error) => {
      reject(new UserError(options.errorCode ?? "COMMAND_FAILED", `could not run \`${shown}\`: ${error.message}`, { cause: error }));
    });
    child.on("close", (code, signal) => {
      const out = Buffer.concat(stdout).toString("utf8");
      const err = Buffer.concat(stderr).toString("utf8");
      if (code === 0) return resolve({ stdout: out, stderr: err });
      const tail = err.split("\n").filter((line) => line.trim() !== "").slice(-6).join("\n");
      const status = signal === null ? `exit code ${code}` : `signal ${signal}`;
      reject(new UserError(options.errorCode ?? "COMMAND_FAILED", `\`${shown}\` failed (${status})${tail ? `:\n${tail}` : ""}`));
    });
  });
}

/** True when `command` can be started (it is on PATH). */
export async function commandExists(command: string): Promise<boolean> {
  const { spawn } = await loadChildProcess();
  return new Promise((resolve) => {
    const child = spawn(command, ["--version"], { stdio: "ignore" });
    child.on("error", () => resolve(false));
    child.on("close", () => resolve(true));
  });
}
