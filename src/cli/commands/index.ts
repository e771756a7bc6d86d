// The table of subcommands: each entry configures its commander options and runs the command,
// returning an exit code. Commands return data to print; render.ts decides how it looks.
import type { Command } from "commander";
import type { Interrupts } from "../../core/interrupt.js";
import type { Reporter } from "../../core/reporter.js";
import { cacheKeyCommand } from "./cache-key.js";
import { depextCommand } from "./depext.js";
import { listCommand } from "./list.js";
import { lockCommand } from "./lock.js";
import { mirrorCommand } from "./mirror.js";
import { outdatedCommand } from "./outdated.js";
import { pullCommand } from "./pull.js";
import { sbomCommand } from "./sbom.js";
import { treeCommand } from "./tree.js";
import { verifyCommand } from "./verify.js";
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
  /** Where a command registers what SIGINT/SIGTERM must undo (see cli/main.ts). */
  interrupts?: Interrupts;
}

export interface CommandSpec {
  name: string;
  summary: string;
  examples: string[];
  operandCount?: number;
  configure(command: Command): void;
  run(context: CommandContext, options: Record<string, unknown>, operands: string[]): Promise<number>;
}

export const COMMANDS: CommandSpec[] = [
  lockCommand,
  pullCommand,
  depextCommand,
  listCommand,
  workspaceCommand,
  whyCommand,
  mirrorCommand,
  cacheKeyCommand,
  verifyCommand,
  // features
  treeCommand,
  sbomCommand,
  outdatedCommand,
];
