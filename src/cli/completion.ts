// Shell completion scripts for bash, zsh and fish, generated from the help pages (commands, their
// options and choices): `opam-monorepo completion SHELL` prints one. Pure: pages in, text out.
import type { HelpOption, HelpPage } from "./help-model.js";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

/** The executables completed (both names npm installs). */
const NAMES = ["opam-monorepo", "monorepo"];

const bashWord = (word: string) => word.replace(/[^A-Za-z0-9_.,:=@%+/-]/gu, "");

function optionWords(options: readonly HelpOption[]): string[] {
  return options.flatMap((option) => [option.long, ...(option.short === undefined ? [] : [option.short])]);
}

function bashCommandCase(page: HelpPage): string {
  const name = page.invocation.split(" ")[1]!;
  const withValue = page.options.filter((option) => option.value !== undefined && option.long !== "--help");
  const valueCases = withValue.map((option) => {
    const names = [option.long, ...(option.short === undefined ? [] : [option.short])].join("|");
    const reply = option.choices === undefined ? "COMPREPLY=()" : `COMPREPLY=($(compgen -W "${option.choices.map(bashWord).join(" ")}" -- "$cur"))`;
    return `        ${names}) ${reply}; return ;;`;
  });
  const operands = page.operandChoices === undefined ? [] : [`      operands="${page.operandChoices.map(bashWord).join(" ")}"`];
  return [
    `    ${bashWord(name)})`,
    `      opts="${optionWords(page.options).map(bashWord).join(" ")}"`,
    ...operands,
    ...(valueCases.length > 0 ? ['      case "$prev" in', ...valueCases, "      esac"] : []),
    "      ;;",
  ].join("\n");
}

/** bash: `source <(opam-monorepo completion bash)`; operands fall back to file names. */
export function bashCompletion(program: HelpPage, commands: readonly HelpPage[]): string {
  const names = program.commands.map((command) => bashWord(command.name)).join(" ");
  return `# bash completion for ${NAMES.join(" and ")}: source it from ~/.bashrc, or save it as
# ~/.local/share/bash-completion/completions/opam-monorepo
_opam_monorepo() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" command="" opts="" operands="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -*) ;;
      *) command="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  if [ -z "$command" ]; then
    COMPREPLY=($(compgen -W "${names} --help --version" -- "$cur"))
    return
  fi
  case "$command" in
${commands.map(bashCommandCase).join("\n")}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [ -n "$operands" ]; then
    COMPREPLY=($(compgen -W "$operands" -- "$cur"))
  else
    COMPREPLY=()
  fi
}
complete -o default -o bashdefault -F _opam_monorepo ${NAMES.join(" ")}
`;
}

/** Text inside a zsh single-quoted `_arguments` spec: no quote, colon or bracket left bare. */
const zshText = (text: string) => text.replace(/'/gu, "'\\''").replace(/([:[\]\\])/gu, "\\$1");

function zshSpecs(option: HelpOption): string[] {
  const description = `[${zshText(option.description)}]`;
  const action = option.value === undefined ? "" : `:${option.value}:${option.choices === undefined ? "_files" : `(${option.choices.join(" ")})`}`;
  const repeat = option.long === "--verbose" ? "*" : "";
  const long = `'${repeat}${option.long}${option.value === undefined ? "" : "="}${description}${action}'`;
  return option.short === undefined ? [long] : [long, `'${repeat}${option.short}${description}${action}'`];
}

/** zsh: `source <(opam-monorepo completion zsh)` after compinit, or save it as `_opam-monorepo` on $fpath. */
export function zshCompletion(program: HelpPage, commands: readonly HelpPage[]): string {
  const described = program.commands.map((command) => `    '${zshText(command.name)}:${zshText(command.summary)}'`);
  const cases = commands.map((page) => {
    const specs = page.options.filter((option) => option.long !== "--help").flatMap(zshSpecs);
    const operand = page.operandChoices === undefined ? "'*:file:_files'" : `'1:${page.operands[0]}:(${page.operandChoices.join(" ")})'`;
    return `    ${page.invocation.split(" ")[1]})\n      _arguments -s \\\n        ${[...specs, "'--help[show the help]'", operand].join(" \\\n        ")}\n      ;;`;
  });
  return `#compdef ${NAMES.join(" ")}
# zsh completion for ${NAMES.join(" and ")}: save it as _opam-monorepo in a directory of $fpath,
# or source it after compinit.
_opam_monorepo() {
  local -a commands
  commands=(
${described.join("\n")}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'opam-monorepo command' commands
    return
  fi
  local command="\${words[2]}"
  (( CURRENT-- ))
  shift words
  case "$command" in
${cases.join("\n")}
  esac
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _opam_monorepo "$@"
else
  compdef _opam_monorepo ${NAMES.join(" ")}
fi
`;
}

const fishText = (text: string) => `'${text.replace(/\\/gu, "\\\\").replace(/'/gu, "\\'")}'`;

function fishOption(command: string, option: HelpOption): string {
  const parts = [`complete -c opam-monorepo -n ${fishText(`__fish_seen_subcommand_from ${command}`)}`];
  if (option.short !== undefined) parts.push(`-s ${option.short.slice(1)}`);
  parts.push(`-l ${option.long.slice(2)}`);
  if (option.value !== undefined) parts.push(option.choices === undefined ? "-r -F" : `-x -a ${fishText(option.choices.join(" "))}`);
  parts.push(`-d ${fishText(option.description)}`);
  return parts.join(" ");
}

/** fish: `opam-monorepo completion fish > ~/.config/fish/completions/opam-monorepo.fish`. */
export function fishCompletion(program: HelpPage, commands: readonly HelpPage[]): string {
  const lines = [
    `# fish completion for ${NAMES.join(" and ")}: save it as ~/.config/fish/completions/opam-monorepo.fish`,
    "complete -c monorepo -w opam-monorepo",
    ...program.commands.map((command) => `complete -c opam-monorepo -f -n __fish_use_subcommand -a ${fishText(command.name)} -d ${fishText(command.summary)}`),
    "complete -c opam-monorepo -n __fish_use_subcommand -l version -d 'print the version'",
    ...commands.flatMap((page) => {
      const command = page.invocation.split(" ")[1]!;
      const operands = page.operandChoices === undefined ? [] : [`complete -c opam-monorepo -f -n ${fishText(`__fish_seen_subcommand_from ${command}`)} -a ${fishText(page.operandChoices.join(" "))}`];
      return [...page.options.map((option) => fishOption(command, option)), ...operands];
    }),
  ];
  return `${lines.join("\n")}\n`;
}

export function completionScript(shell: Shell, program: HelpPage, commands: readonly HelpPage[]): string {
  if (shell === "bash") return bashCompletion(program, commands);
  if (shell === "zsh") return zshCompletion(program, commands);
  return fishCompletion(program, commands);
}
