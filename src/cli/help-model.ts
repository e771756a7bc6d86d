// The help of the program and of each command as data (name, synopsis, options, examples, and the
// ENVIRONMENT and EXIT STATUS sections every page shares), read from the commander tree. The
// renderers (help-render.ts) and the shell completions (completion.ts) work from this; no output.
import type { Command, Option } from "commander";
import { PROGRAM } from "../core/paths.js";

export interface HelpOption {
  /** `-r`, or undefined. */
  short: string | undefined;
  /** `--root`. */
  long: string;
  /** `DIR` for `--root <dir>`; undefined for a flag. */
  value: string | undefined;
  description: string;
  choices: string[] | undefined;
}

export interface HelpPage {
  /** `opam-monorepo` or `opam-monorepo-lock` (the man page's name). */
  name: string;
  /** `opam-monorepo lock`: what the user types. */
  invocation: string;
  summary: string;
  /** Operands as the synopsis shows them: `[PACKAGES]…`, `DIR`. */
  operands: string[];
  options: HelpOption[];
  /** For the program's page: its commands. */
  commands: { name: string; summary: string }[];
  examples: string[];
  /** The values the first operand takes, when it has a fixed set (`completion SHELL`). */
  operandChoices?: string[];
}

/** Exit codes, as every page lists them. */
export const EXIT_STATUS: [string, string][] = [
  ["0", "on success."],
  ["1", "on a handled error: one [ERROR] paragraph on stderr (with --json, also JSON on stdout)."],
  ["124", "on a bad command line (unknown command or option, bad value)."],
  ["130, 143", "when interrupted by SIGINT or SIGTERM (after cleaning up)."],
];

/** Environment variables read, as every page lists them. */
export const ENVIRONMENT: [string, string][] = [
  ["OPAMROOT", "the opam root (default ~/.opam): repositories and pins of the current switch, and the download cache shared with opam."],
  ["OPAMSWITCH", "the switch to read instead of the current one."],
  ["OPAMVAR_name", "the value of the opam variable name in filters (mirage sets OPAMVAR_monorepo=opam-monorepo)."],
  ["OPAMDOWNLOADJOBS", "parallel downloads of pull (default 16; -j wins)."],
  ["OPAMRETRIES", "download attempts per archive."],
  ["OPAMNOCHECKSUMS, OPAMREQUIRECHECKSUMS", "as in opam: skip checksum checks, or refuse archives without a checksum."],
  ["OPAM_MONOREPO_CWD", "what $OPAM_MONOREPO_CWD stands for in repository URLs (default: the project root)."],
  ["OPAM_MONOREPO_CACHE", "the download cache directory (--cache-dir wins)."],
  ["XDG_CACHE_HOME", "where the repository index and, without an opam root, the download cache live (default ~/.cache)."],
  ["NO_COLOR", "when set and not empty, no colours."],
  ["FORCE_COLOR, CLICOLOR_FORCE", "force colours even through pipes (FORCE_COLOR=0 turns them off); --color wins."],
  ["MANPAGER, PAGER", "the pager of --help=pager (default less, then more)."],
];

function helpOption(option: Option): HelpOption {
  const value = /<([^>]+)>|\[([^\]]+)\]/u.exec(option.flags);
  return {
    short: option.short,
    long: option.long ?? option.flags,
    value: value === null ? undefined : (value[1] ?? value[2])!.replace(/\.\.\.$/u, "").toUpperCase(),
    description: option.description,
    choices: option.argChoices,
  };
}

const HELP_OPTION: HelpOption = {
  short: undefined,
  long: "--help",
  value: undefined,
  description: "show this help; --help=plain, --help=groff or --help=pager (cmdliner's forms) choose its format",
  choices: ["auto", "pager", "groff", "plain"],
};

/** The page of `command` (a subcommand of the program), with `examples` from its spec. */
export function commandPage(command: Command, examples: readonly string[]): HelpPage {
  const operands = command.registeredArguments.map((argument) => {
    const name = argument.name().toUpperCase();
    const shown = argument.variadic ? `${name}…` : name;
    return argument.required ? shown : `[${name}]${argument.variadic ? "…" : ""}`;
  });
  return {
    name: `${PROGRAM}-${command.name()}`,
    invocation: `${PROGRAM} ${command.name()}`,
    summary: command.description(),
    operands,
    options: [...command.options.map(helpOption), HELP_OPTION],
    commands: [],
    examples: [...examples],
    operandChoices: command.registeredArguments[0]?.argChoices,
  };
}

/** The program's page: its commands and global options. */
export function programPage(program: Command): HelpPage {
  return {
    name: PROGRAM,
    invocation: PROGRAM,
    summary: program.description(),
    operands: ["COMMAND"],
    options: [...program.options.map(helpOption), HELP_OPTION],
    commands: program.commands.map((command) => ({ name: command.name(), summary: command.description() })),
    examples: [`${PROGRAM} lock`, `${PROGRAM} pull`, `${PROGRAM} COMMAND --help`, `${PROGRAM} completion bash > ~/.local/share/bash-completion/completions/${PROGRAM}`],
  };
}

/** The short ENVIRONMENT and EXIT STATUS text appended to commander's --help. */
export function helpFooter(): string {
  const exit = EXIT_STATUS.map(([code, text]) => `  ${code.padEnd(9)} ${text}`).join("\n");
  const env = ENVIRONMENT.map(([name]) => name).join(", ");
  const envText = `Environment: ${env} (described in \`${PROGRAM} --help=plain\` and \`man ${PROGRAM}\`).`;
  return `\nExit status:\n${exit}\n\n${wrapWords(envText, 80)}\n`;
}

function wrapWords(text: string, width: number): string {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines.join("\n");
}
