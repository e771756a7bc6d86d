// The table of subcommands: each entry configures its commander options and runs the command,
// returning an exit code. Commands return data to print; render.ts decides how it looks.
import type { Command } from "commander";
import { UserError } from "../../core/errors.js";
import type { Reporter } from "../../core/reporter.js";
import { depextCommand } from "./depext.js";
import { listCommand } from "./list.js";
import { lockCommand } from "./lock.js";
import { whyCommand } from "./why.js";
import { workspaceCommand } from "./workspace.js";

export interface CommandContext {
  reporter: Reporter;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** argv after the subcommand word, verbatim (recorded in x-opam-monorepo-cli-args). */
  rawArgs: string[];
  stdout: NodeJS.WriteStream;
  color: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  examples: string[];
  operandCount?: number;
  configure(command: Command): void;
  run(context: CommandContext, options: Record<string, unknown>, operands: string[]): Promise<number>;
}

function notBuiltYet(name: string, summary: string, operands = ""): CommandSpec {
  return {
    name,
    summary,
    examples: [],
    configure(command) {
      if (operands) command.argument(operands);
      command.allowUnknownOption(true);
    },
    async run() {
      throw new UserError("NOT_IMPLEMENTED", `\`${name}\` is not available in this version of opam-monorepo yet.`);
    },
  };
}

export const COMMANDS: CommandSpec[] = [
  lockCommand,
  notBuiltYet("pull", "fetch the dependencies sources as specified by the lockfile", "[repositories...]"),
  depextCommand,
  listCommand,
  workspaceCommand,
  whyCommand,
  notBuiltYet("mirror", "write every locked archive into DIR in the opam cache layout", "<dir>"),
  notBuiltYet("cache-key", "print a digest of the locked sources, for CI cache keys"),
];
