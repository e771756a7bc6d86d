// Command-line conventions shared by every command: cmdliner-style unambiguous prefixes for
// subcommands and long options, the common options, and their normalisation.
import { Command, Option } from "commander";
import type { LogLevel } from "../core/reporter.js";

export interface CommonOptions {
  color: "auto" | "always" | "never";
  verbose: number;
  quiet: boolean;
  verbosity?: LogLevel;
  json?: boolean;
}

/** Adds `--color`, `-q`, `-v` (repeatable) and `--verbosity` to a command. */
export function addCommonOptions(command: Command): Command {
  return command
    .addOption(new Option("--color <when>", "colourise the output").choices(["auto", "always", "never"]).default("auto"))
    .option("-q, --quiet", "only print errors", false)
    .option("-v, --verbose", "increase verbosity (repeatable: -v info, -vv debug)", (_v: string, previous: number) => previous + 1, 0)
    .addOption(new Option("--verbosity <level>", "log level").choices(["quiet", "error", "warning", "info", "debug"]));
}

export function logLevel(options: CommonOptions): LogLevel {
  if (options.verbosity) return options.verbosity;
  if (options.quiet) return "quiet";
  if (options.verbose >= 2) return "debug";
  if (options.verbose === 1) return "info";
  return "warning";
}

export class AmbiguousPrefix extends Error {}

/**
 * Prefixes that keep meaning what they meant in opam-monorepo 0.4.3 after an option sharing them
 * was added: `--lock` is `--lockfile` (ocaml-ci runs `depext --yes --lock F`), not `pull --locked`.
 */
const KEPT_PREFIXES: Record<string, string> = { "--lock": "--lockfile" };

/** Resolve `word` to the single name in `names` it equals or starts; undefined if none. */
export function resolvePrefix(word: string, names: readonly string[], what: string): string | undefined {
  if (names.includes(word)) return word;
  const matches = names.filter((name) => name.startsWith(word));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new AmbiguousPrefix(`${what} \`${word}\` is ambiguous and could be ${matches.sort().join(", ")}`);
  }
  return undefined;
}

function longNames(command: Command): string[] {
  const names = command.options.map((option) => option.long).filter((name): name is string => name !== undefined);
  return [...names, "--help", "--version"];
}

/**
 * Rewrite argv so that commander sees full names: `pu` → `pull`, `--lock` → `--lockfile`,
 * `--recurse=x` → `--recurse-opam=x`. Words after `--` are left alone.
 */
export function expandPrefixes(program: Command, argv: readonly string[]): string[] {
  const out: string[] = [];
  let command: Command | undefined;
  let rest = false;
  for (const word of argv) {
    if (rest || word === "--") {
      rest = true;
      out.push(word);
    } else if (word.startsWith("--") && command) {
      const eq = word.indexOf("=");
      const name = eq < 0 ? word : word.slice(0, eq);
      const names = longNames(command);
      const kept = KEPT_PREFIXES[name];
      const full = kept !== undefined && names.includes(kept) ? kept : resolvePrefix(name, names, "option");
      out.push(full === undefined ? word : full + (eq < 0 ? "" : word.slice(eq)));
    } else if (!command && !word.startsWith("-")) {
      const names = program.commands.map((c) => c.name());
      const full = resolvePrefix(word, names, "command");
      command = program.commands.find((c) => c.name() === full);
      out.push(full ?? word);
    } else {
      out.push(word);
    }
  }
  return out;
}
