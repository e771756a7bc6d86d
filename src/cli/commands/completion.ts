// `completion SHELL`: prints the bash, zsh or fish completion script for every command, option
// and choice of this build (generated from the command tree, so it never falls behind).
import { Argument, type Command } from "commander";
import { commandPage, programPage } from "../help-model.js";
import { completionScript, SHELLS, type Shell } from "../completion.js";
import { fullProgram } from "../help.js";
import { toolVersion } from "../version.js";
import type { CommandSpec } from "./index.js";

export const completionCommand: CommandSpec = {
  name: "completion",
  summary: "print the shell completion script for bash, zsh or fish",
  examples: [
    "opam-monorepo completion bash > ~/.local/share/bash-completion/completions/opam-monorepo",
    "source <(opam-monorepo completion bash)",
    "opam-monorepo completion zsh > \"${fpath[1]}/_opam-monorepo\"",
    "opam-monorepo completion fish > ~/.config/fish/completions/opam-monorepo.fish",
  ],
  operandCount: 1,
  configure(command: Command) {
    command.addArgument(new Argument("<shell>", "the shell").choices(SHELLS));
  },
  async run(context, _options, operands) {
    const { program, examplesOf } = await fullProgram(toolVersion());
    const pages = program.commands.map((command) => commandPage(command, examplesOf(command.name())));
    context.stdout.write(completionScript(operands[0] as Shell, programPage(program), pages));
    return 0;
  },
};
