// The table of subcommands: each entry names a command, summarises it for the top-level help and
// loads its module (configuring its commander options and running it, returning an exit code) only
// when that command is the one run: `--version`, `--help` and light commands load no solver code.
// Commands return data to print; render.ts decides how it looks.
import type { Command } from "commander";
import type { Interrupts } from "../../core/interrupt.js";
import type { Reporter } from "../../core/reporter.js";
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

/** A command as the top-level help lists it; `load` imports its module (a chunk of the bundle). */
export interface CommandEntry {
  name: string;
  summary: string;
  /** Its operands as commander writes them in usage lines (`[packages...]`), "" for none. */
  operands: string;
  load(): Promise<CommandSpec>;
}

export const COMMANDS: CommandEntry[] = [
  { name: "lock", summary: "analyse opam files to generate a project-wide lock file", operands: "[packages...]", load: async () => (await import("./lock.js")).lockCommand },
  { name: "pull", summary: "fetch the dependencies sources as specified by the lockfile", operands: "[repositories...]", load: async () => (await import("./pull.js")).pullCommand },
  { name: "depext", summary: "install external dependencies", operands: "", load: async () => (await import("./depext.js")).depextCommand },
  { name: "list", summary: "display the list of monorepo packages", operands: "", load: async () => (await import("./list.js")).listCommand },
  {
    name: "workspace",
    summary: "write a dune-workspace with one cross-compilation context per target",
    operands: "",
    load: async () => (await import("./workspace.js")).workspaceCommand,
  },
  {
    name: "why",
    summary: "explain why a package is in the lock file: the chains from a root package to it",
    operands: "<package>",
    load: async () => (await import("./why.js")).whyCommand,
  },
  {
    name: "mirror",
    summary: "write every locked archive into DIR in the opam cache layout (<algo>/<xx>/<hex>)",
    operands: "<dir>",
    load: async () => (await import("./mirror.js")).mirrorCommand,
  },
  { name: "cache-key", summary: "print a digest of the locked sources, for CI cache keys", operands: "", load: async () => (await import("./cache-key.js")).cacheKeyCommand },
  {
    name: "verify",
    summary: "check that duniverse/ is exactly what the lock file says (every file re-hashed)",
    operands: "[repositories...]",
    load: async () => (await import("./verify.js")).verifyCommand,
  },
  // features
  {
    name: "tree",
    summary: "show the locked packages as a dependency tree from the root packages (or as a DOT / Mermaid graph)",
    operands: "",
    load: async () => (await import("./tree.js")).treeCommand,
  },
  {
    name: "sbom",
    summary: "write a software bill of materials of the lock file (CycloneDX 1.6 or SPDX 2.3 JSON)",
    operands: "",
    load: async () => (await import("./sbom.js")).sbomCommand,
  },
];
