// Progress and diagnostics sink used by every stage: `==> ` steps on stdout, warnings on stderr.
// TerminalReporter is the only progress printer; MemoryReporter records lines for tests.

export type LogLevel = "quiet" | "error" | "warning" | "info" | "debug";

export interface Reporter {
  /** An `==> ` line on stdout (opam-monorepo's "app" messages). */
  step(message: string): void;
  /** Shown with -v. */
  info(message: string): void;
  /** Shown with -vv. */
  debug(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /**
   * A transient progress line (only drawn on a TTY); `undefined` clears it. A function is called
   * only when the line is drawn (what it counts may cost file-system reads).
   */
  progress(line: string | (() => string) | undefined): void;
}

const LEVELS: Record<LogLevel, number> = { quiet: 0, error: 1, warning: 2, info: 3, debug: 4 };

export interface TerminalOptions {
  program: string;
  level: LogLevel;
  color: boolean;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export class TerminalReporter implements Reporter {
  private progressShown = false;
  constructor(private readonly options: TerminalOptions) {}

  step(message: string): void {
    if (LEVELS[this.options.level] < LEVELS.error) return;
    this.clearProgress();
    const arrow = this.options.color ? "\x1b[34m==>\x1b[0m" : "==>";
    this.options.stdout.write(`${arrow} ${message}\n`);
  }
  info(message: string): void {
    if (LEVELS[this.options.level] >= LEVELS.info) this.log("INFO", message, "36");
  }
  debug(message: string): void {
    if (LEVELS[this.options.level] >= LEVELS.debug) this.log("DEBUG", message, "32");
  }
  warn(message: string): void {
    if (LEVELS[this.options.level] >= LEVELS.warning) this.log("WARNING", message, "33");
  }
  error(message: string): void {
    if (LEVELS[this.options.level] >= LEVELS.error) this.log("ERROR", message, "31");
  }
  progress(line: string | (() => string) | undefined): void {
    if (!this.options.stderr.isTTY || LEVELS[this.options.level] < LEVELS.warning) return;
    if (line === undefined) return this.clearProgress();
    const width = Math.max(20, (this.options.stderr.columns || 80) - 1);
    const text = typeof line === "function" ? line() : line;
    this.options.stderr.write(`\r\x1b[2K${text.slice(0, width)}`);
    this.progressShown = true;
  }

  private log(label: string, message: string, colorCode: string): void {
    this.clearProgress();
    const tag = this.options.color ? `\x1b[${colorCode}m[${label}]\x1b[0m` : `[${label}]`;
    this.options.stderr.write(`${this.options.program}: ${tag} ${message}\n`);
  }
  private clearProgress(): void {
    if (!this.progressShown) return;
    this.options.stderr.write("\r\x1b[2K");
    this.progressShown = false;
  }
}

/** Records everything, for assertions in tests. */
export class MemoryReporter implements Reporter {
  readonly lines: string[] = [];
  step(message: string): void {
    this.lines.push(`==> ${message}`);
  }
  info(message: string): void {
    this.lines.push(`[INFO] ${message}`);
  }
  debug(message: string): void {
    this.lines.push(`[DEBUG] ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`[WARNING] ${message}`);
  }
  error(message: string): void {
    this.lines.push(`[ERROR] ${message}`);
  }
  progress(): void {}
}

/** A reporter that drops everything (library use, benchmarks). */
export const silentReporter: Reporter = {
  step() {},
  info() {},
  debug() {},
  warn() {},
  error() {},
  progress() {},
};

/**
 * `reporter` with its `==>` step lines demoted to info messages (shown with -v), for commands
 * whose stdout carries only their result (`--json`, `why`).
 */
export function stepsAsInfo(reporter: Reporter): Reporter {
  return {
    step: (message) => reporter.info(message),
    info: (message) => reporter.info(message),
    debug: (message) => reporter.debug(message),
    warn: (message) => reporter.warn(message),
    error: (message) => reporter.error(message),
    progress: (line) => reporter.progress(line),
  };
}
