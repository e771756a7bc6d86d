// `--help=FORMAT` as cmdliner reads it (auto, pager, groff, plain), for the program and for each
// command; the pager; and the man pages `npm run build` writes into dist/man/man1/.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { PROGRAM } from "../core/paths.js";
import { addCommonOptions } from "./args.js";
import { COMMANDS } from "./commands/index.js";
import { commandPage, programPage, type HelpPage } from "./help-model.js";
import { renderGroff, renderPlain } from "./help-render.js";
import { standardOutputs } from "./output.js";

export const HELP_FORMATS = ["auto", "pager", "groff", "plain"] as const;
export type HelpFormat = (typeof HELP_FORMATS)[number];

export type HelpRequest = { kind: "help"; format: HelpFormat } | { kind: "bad"; message: string };

/** A `--help=FORMAT` word before `--` in (prefix-expanded) argv; bare `--help` is commander's. */
export function helpRequest(argv: readonly string[]): HelpRequest | undefined {
  for (const word of argv) {
    if (word === "--") return undefined;
    if (!word.startsWith("--help=")) continue;
    const format = word.slice("--help=".length);
    if ((HELP_FORMATS as readonly string[]).includes(format)) return { kind: "help", format: format as HelpFormat };
    return { kind: "bad", message: `option '--help': invalid value '${format}', expected one of ${HELP_FORMATS.map((f) => `'${f}'`).join(", ")}` };
  }
  return undefined;
}

/** The page argv asks about: the command named by its first operand word, else the program's. */
export async function pageFor(program: Command, argv: readonly string[]): Promise<HelpPage> {
  const name = argv.find((word) => !word.startsWith("-"));
  const command = program.commands.find((candidate) => candidate.name() === name);
  const entry = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined || entry === undefined) return programPage(program);
  return commandPage(command, (await entry.load()).examples);
}

/**
 * The program with every command loaded and configured (main.ts configures only the one it runs),
 * and each command's examples: for the man pages and the completion scripts.
 */
export async function fullProgram(version: string): Promise<{ program: Command; examplesOf: (name: string) => readonly string[] }> {
  const program = new Command(PROGRAM).description("Assemble a self-contained dune workspace from a project's opam dependencies (lock, pull, workspace).");
  program.version(version, "--version", "print the version");
  const examples = new Map<string, readonly string[]>();
  for (const entry of COMMANDS) {
    const spec = await entry.load();
    spec.configure(addCommonOptions(program.command(entry.name).description(entry.summary)));
    examples.set(entry.name, spec.examples);
  }
  return { program, examplesOf: (name) => examples.get(name) ?? [] };
}

/** Pipes `text` to $MANPAGER, $PAGER, less or more; resolves false when none could run. */
async function throughPager(text: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  // Loaded here: only a help page shown on a terminal pays for child_process.
  const { spawn } = await import("node:child_process");
  const pagers = [env.MANPAGER, env.PAGER, "less", "more"].filter((p): p is string => p !== undefined && p.trim() !== "");
  const attempt = (index: number): Promise<boolean> => {
    if (index >= pagers.length) return Promise.resolve(false);
    return new Promise((resolve) => {
      const child = spawn("/bin/sh", ["-c", `exec ${pagers[index]}`], { stdio: ["pipe", "inherit", "inherit"], env: { LESS: "FRX", ...env } });
      child.stdin.on("error", () => undefined);
      child.on("error", () => resolve(attempt(index + 1)));
      child.on("close", (code) => (code === 127 ? resolve(attempt(index + 1)) : resolve(true)));
      child.stdin.end(text);
    });
  };
  return attempt(0);
}

/** Prints the help page in `format`: pager/auto on a terminal only (plain text otherwise). */
export async function showHelp(page: HelpPage, format: HelpFormat, version: string, out: NodeJS.WriteStream, env = process.env): Promise<void> {
  if (format === "groff") return void out.write(renderGroff(page, version));
  const text = renderPlain(page);
  if (format !== "plain" && out.isTTY === true && (await throughPager(text, env))) return;
  out.write(text);
}

/** Writes `man1/opam-monorepo.1` and `man1/opam-monorepo-<command>.1` under `dir`; returns the paths. */
export function writeManPages(program: Command, dir: string, version: string, examplesOf: (name: string) => readonly string[]): string[] {
  const man1 = path.join(dir, "man1");
  mkdirSync(man1, { recursive: true });
  const pages = [programPage(program), ...program.commands.map((command) => commandPage(command, examplesOf(command.name())))];
  return pages.map((help) => {
    const file = path.join(man1, `${help.name}.1`);
    writeFileSync(file, renderGroff(help, version));
    return file;
  });
}

/**
 * Answers a `--help=FORMAT` in argv (exit 0), or refuses a bad FORMAT (exit 124); undefined when
 * argv asks for no such help.
 */
export async function answerHelp(program: Command, argv: readonly string[], version: string): Promise<number | undefined> {
  const request = helpRequest(argv);
  if (request === undefined) return undefined;
  if (request.kind === "bad") {
    standardOutputs().stderr.write(`${PROGRAM}: ${request.message}\nUsage: ${PROGRAM} COMMAND …; try \`${PROGRAM} --help\` or \`${PROGRAM} COMMAND --help\`.\n`);
    return 124;
  }
  await showHelp(await pageFor(program, argv), request.format, version, standardOutputs().stdout);
  return 0;
}
