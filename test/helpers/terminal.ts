// Runs the real CLI in a pseudo-terminal (util-linux `script`), so that stdin, stdout and stderr
// are a TTY as they are for a user at a terminal; and shell-quoting for the command line.
import { spawn, spawnSync } from "node:child_process";
import { cliPath, pinnedEnv } from "./cli.js";

export const haveScript = spawnSync("script", ["--version"]).status === 0;

/** `word` quoted for sh. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/u.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The CLI under test as a shell command line, `args` quoted. */
export function cliLine(args: readonly string[]): string {
  return [process.execPath, cliPath, ...args].map(shellQuote).join(" ");
}

export interface TerminalResult {
  code: number | null;
  /** Everything written to the terminal (stdout and stderr together, `\r\n` line ends). */
  output: string;
}

/**
 * Runs `line` (a shell command line) under `script -qec`, in `cwd`, with the pinned test
 * environment of `home` minus NO_COLOR, plus `env`, `TERM=xterm` and a 100-column terminal.
 */
export function inTerminal(line: string, options: { cwd: string; home: string; env?: NodeJS.ProcessEnv }): Promise<TerminalResult> {
  const { NO_COLOR: _drop, ...base } = pinnedEnv(options.home);
  const env = { ...base, TERM: "xterm", COLUMNS: "100", ...options.env };
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", `stty cols 100 2>/dev/null; ${line}`, "/dev/null"], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

/** The lines a terminal would end up showing: `\r\n` → `\n`, a line redrawn after `\r\x1b[2K` keeps its last state. */
export function screenLines(output: string): string[] {
  return output
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => line.split("\r\x1b[2K").pop()!.replace(/\r/g, ""));
}
