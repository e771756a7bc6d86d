// Parses argv, runs one command, prints its result or error and sets the exit code:
// 0 ok, 1 handled error, 124 bad command line (an unknown option or a bad option value), 130/143 interrupted by SIGINT/SIGTERM (after the
// command's registered cleanups ran). The only file that calls process.exit.
import { Command, CommanderError, type OutputConfiguration } from "commander";
import { isUserError, UserError } from "../core/errors.js";
import { restoreDeferredCaCerts } from "../core/extra-ca.js";
import { createInterrupts, type InterruptController } from "../core/interrupt.js";
import { PROGRAM } from "../core/paths.js";
import { TerminalReporter } from "../core/reporter.js";
import { addCommonOptions, AmbiguousPrefix, expandPrefixes, logLevel, resolvePrefix, type CommonOptions } from "./args.js";
import { colorEnabled, renderBug, renderUserError, renderUserErrorJson } from "./render.js";
import { outputFailure, standardOutputs } from "./output.js";
import { toolVersion } from "./version.js";
import { answerHelp } from "./help.js";
import { helpFooter } from "./help-model.js";
import { COMMANDS, type CommandContext, type CommandSpec } from "./commands/index.js";

const EXIT_OK = 0;
const EXIT_ERROR = 1;
const EXIT_CLI = 124;
const EXIT_SIGNAL = { SIGINT: 130, SIGTERM: 143 } as const;


/** commander's "error: …" lines in opam-monorepo's form, with a pointer to --help. */
function commandLineError(text: string): string {
  if (!text.startsWith("error: ")) return text;
  return `${PROGRAM}: ${text.slice("error: ".length).trimEnd()}\nUsage: ${PROGRAM} COMMAND …; try \`${PROGRAM} --help\` or \`${PROGRAM} COMMAND --help\`.\n`;
}

/**
 * The command argv runs (`help X` runs X's help), prefixes resolved; undefined for none, for an
 * unknown or ambiguous word (commander and expandPrefixes report those).
 */
export function selectedCommand(argv: readonly string[]): string | undefined {
  const names = [...COMMANDS.map((c) => c.name), "help"];
  const words = argv.slice(0, argv.includes("--") ? argv.indexOf("--") : argv.length).filter((word) => !word.startsWith("-"));
  try {
    const first = words[0] === undefined ? undefined : resolvePrefix(words[0], names, "command");
    if (first !== "help") return first;
    return words[1] === undefined ? undefined : resolvePrefix(words[1], names, "command");
  } catch {
    return undefined;
  }
}

/** commander's output through standardOutputs() (its defaults would create both streams). */
function commanderOutput(): OutputConfiguration {
  const { stdout, stderr } = standardOutputs();
  const width = (stream: NodeJS.WriteStream) => (stream.isTTY === true ? stream.columns : undefined) ?? 80;
  const colors = (stream: NodeJS.WriteStream) => stream.isTTY === true && stream.hasColors?.() === true;
  return {
    writeErr: (text) => stderr.write(commandLineError(text)),
    writeOut: (text) => stdout.write(text),
    getOutHelpWidth: () => width(stdout),
    getErrHelpWidth: () => width(stderr),
    getOutHasColors: () => colors(stdout),
    getErrHasColors: () => colors(stderr),
  };
}

type OnRun = (spec: CommandSpec, options: CommonOptions, operands: string[]) => Promise<void>;

/** Every command for the top-level help; only `selected` is loaded and configured in full. */
async function buildProgram(argv: readonly string[], onRun: OnRun): Promise<Command> {
  const program = new Command(PROGRAM)
    .description("Assemble a self-contained dune workspace from a project's opam dependencies (lock, pull, workspace).")
    .version(toolVersion(), "--version", "print the version")
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput(commanderOutput());
  const selected = selectedCommand(argv);
  for (const entry of COMMANDS) {
    const command = addCommonOptions(program.command(entry.name).description(entry.summary));
    if (entry.name !== selected) {
      if (entry.operands !== "") command.arguments(entry.operands);
      continue;
    }
    const spec = await entry.load();
    spec.configure(command);
    if (spec.examples.length > 0) {
      command.addHelpText("after", `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join("\n")}\n`);
    }
    command.addHelpText("after", helpFooter());
    command.exitOverride().action(async (...args: unknown[]) => {
      const self = args[args.length - 1] as Command;
      const operands = self.args.slice(0, spec.operandCount ?? self.args.length);
      await onRun(spec, self.opts() as CommonOptions, operands);
    });
  }
  return program.addHelpText("after", helpFooter());
}

export async function main(argv: string[]): Promise<void> {
  restoreDeferredCaCerts(process.env);
  const interrupts = createInterrupts();
  const stopCatching = catchSignals(interrupts, () => colorEnabled(standardOutputs().stderr));
  reportLateOutputFailure(() => colorEnabled(standardOutputs().stderr));
  try {
    const code = await run(argv, interrupts);
    // An interrupted command's own outcome is not reported: the signal handler exits.
    if (interrupts.interrupted) await new Promise<never>(() => undefined);
    process.exitCode = outputFailure() === undefined ? code : EXIT_ERROR;
  } finally {
    stopCatching();
  }
}

/** Set once the failure of an output has been printed (as the command's error). */
let outputFailureShown = false;

/**
 * An output that failed without stopping the command (a stream's late error: a full disk under a
 * terminal's redirection, an I/O error) is said on stderr when the process ends, and exits 1.
 */
function reportLateOutputFailure(color: () => boolean): void {
  process.once("exit", () => {
    const failure = outputFailure();
    if (failure === undefined || outputFailureShown) return;
    process.exitCode = EXIT_ERROR;
    try {
      standardOutputs().stderr.write(renderUserError(failure, color()));
    } catch {
      // stderr failed too: the exit code is all that is left.
    }
  });
}

/**
 * SIGINT/SIGTERM while a command runs: its cleanups run (pull removes its staging directory and
 * lock, or lets a commit under way finish), what they left is printed, and the exit code is
 * 130/143. A second signal exits at once.
 */
function catchSignals(interrupts: InterruptController, color: () => boolean): () => void {
  let exiting = false;
  const onSignal = (signal: keyof typeof EXIT_SIGNAL) => {
    if (exiting) process.exit(EXIT_SIGNAL[signal]);
    exiting = true;
    const leave = (messages: string[]) => {
      const text = messages.length > 0 ? messages.join("; ") : "interrupted";
      standardOutputs().stderr.write(renderUserError(new UserError("INTERRUPTED", text), color()));
      process.exit(EXIT_SIGNAL[signal]);
    };
    interrupts.interrupt().then(leave, (error: unknown) => leave([`interrupted; the clean-up failed: ${(error as Error).message}`]));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}

async function run(argv: string[], interrupts: InterruptController): Promise<number> {
  const { stdout, stderr } = standardOutputs();
  let exit = EXIT_OK;
  let jsonErrors = false;
  let color = colorEnabled(stderr);
  const onRun: OnRun = async (spec, options, operands) => {
    color = colorEnabled(stderr, options.color);
    jsonErrors = options.json === true;
    const reporter = new TerminalReporter({ program: PROGRAM, level: logLevel(options), color, stdout, stderr });
    const subcommandIndex = argv.findIndex((word) => !word.startsWith("-"));
    const context: CommandContext = { reporter, env: process.env, cwd: process.cwd(), rawArgs: argv.slice(subcommandIndex + 1), stdout, color, interrupts };
    exit = await spec.run(context, options as never, operands);
  };
  try {
    const program = await buildProgram(argv, onRun);
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT_OK;
    }
    const expanded = expandPrefixes(program, argv);
    const helped = await answerHelp(program, expanded, toolVersion());
    if (helped !== undefined) return helped;
    await program.parseAsync(expanded, { from: "user" });
    return exit;
  } catch (error) {
    if (interrupts.interrupted) return EXIT_ERROR;
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_OK : EXIT_CLI;
    }
    if (error instanceof AmbiguousPrefix) {
      stderr.write(`${PROGRAM}: ${error.message}\n`);
      return EXIT_CLI;
    }
    if (isUserError(error)) {
      // A failed stdout cannot take the JSON error; stderr can still say it (and drops it if it failed).
      if (error === outputFailure()) outputFailureShown = true;
      else if (jsonErrors) stdout.write(renderUserErrorJson(error));
      stderr.write(renderUserError(error, color));
      return error.code === "BAD_OPTION_VALUE" ? EXIT_CLI : EXIT_ERROR;
    }
    stderr.write(renderBug(error));
    return EXIT_ERROR;
  }
}

export { UserError };
