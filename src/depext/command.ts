// System commands as data, and the one runner that executes them. Planners return SystemCommands;
// callers inject a CommandRunner, so tests check the planned commands without touching the system.
import { spawn } from "node:child_process";
import { errnoCode } from "../core/errors.js";

export interface SystemCommand {
  program: string;
  args: string[];
  /** Variables set for the program only (put after `sudo env` when run through sudo). */
  env?: Record<string, string>;
}

export interface CommandOutput {
  /** Exit code; -1 when the program could not be started (then `startError` says why). */
  code: number;
  stdout: string;
  stderr: string;
  startError?: string;
}

/**
 * `capture`: a query; stdin closed, output collected, LC_ALL=C so output parses the same everywhere.
 * `interactive`: an install; the user's terminal is attached (sudo may ask for a password).
 */
export type RunMode = "capture" | "interactive";

export type CommandRunner = (command: SystemCommand, mode: RunMode) => Promise<CommandOutput>;

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

function shellWord(word: string): string {
  return SHELL_SAFE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command as a user would type it in a POSIX shell (for messages and --verbose). */
export function formatCommand(command: SystemCommand): string {
  const env = Object.entries(command.env ?? {}).map(([name, value]) => `${name}=${value}`);
  const words = env.length > 0 ? ["env", ...env, command.program, ...command.args] : [command.program, ...command.args];
  return words.map(shellWord).join(" ");
}

/** Runs on the real system. Never throws: a program that cannot start gives code -1 and startError. */
export const systemRunner: CommandRunner = (command, mode) => runOnSystem(command, mode, false);

/** systemRunner, but an install writes its output to our stderr (for `--json`, whose stdout is the result). */
export const systemRunnerToStderr: CommandRunner = (command, mode) => runOnSystem(command, mode, true);

function runOnSystem(command: SystemCommand, mode: RunMode, toStderr: boolean): Promise<CommandOutput> {
  return new Promise((resolve) => {
    const env = { ...process.env, ...(mode === "capture" ? { LC_ALL: "C" } : {}), ...command.env };
    const child = spawn(command.program, command.args, {
      env,
      stdio: mode === "capture" ? ["ignore", "pipe", "pipe"] : toStderr ? ["inherit", 2, "inherit"] : "inherit",
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => {
      const why = errnoCode(error) === "ENOENT" ? "command not found" : error.message;
      resolve({ code: -1, stdout: "", stderr: "", startError: `${command.program}: ${why}` });
    });
    child.on("close", (code, signal) => {
      resolve({
        code: code ?? (signal === null ? 1 : 128),
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8") + (signal === null ? "" : `killed by ${signal}`),
      });
    });
  });
}

/** uid 0: install without sudo. Always false where there are no uids (Windows). */
export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}
