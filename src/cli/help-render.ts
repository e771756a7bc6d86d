// Renders a HelpPage as cmdliner does: `plain` text laid out like a man page, or `groff` (man(7)
// macros, what the generated man pages hold). Pure: strings in, strings out.
import { ENVIRONMENT, EXIT_STATUS, type HelpOption, type HelpPage } from "./help-model.js";
import { PROGRAM } from "../core/paths.js";

function optionLabel(option: HelpOption): string {
  const value = option.value === undefined ? "" : option.value;
  const long = option.value === undefined ? option.long : `${option.long}=${value}`;
  return option.short === undefined ? long : `${option.short}${value === "" ? "" : ` ${value}`}, ${long}`;
}

function optionText(option: HelpOption): string {
  const choices = option.choices === undefined ? "" : ` (one of ${option.choices.join(", ")})`;
  return `${option.description}${choices}`;
}

/** Words of `text` wrapped at `width` columns, each line indented by `indent`. */
export function wrap(text: string, indent: number, width = 80): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/u).filter((w) => w !== "")) {
    if (line !== "" && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines.map((l) => `${" ".repeat(indent)}${l}`).join("\n");
}

function synopsis(page: HelpPage): string {
  return `${page.invocation} [OPTION]…${page.operands.map((operand) => ` ${operand}`).join("")}`;
}

/** The page as text, sections in capitals as `man` shows them. */
export function renderPlain(page: HelpPage): string {
  const out: string[] = ["NAME", wrap(`${page.name} - ${page.summary}`, 7), "", "SYNOPSIS", wrap(synopsis(page), 7), ""];
  if (page.commands.length > 0) {
    out.push("COMMANDS");
    for (const command of page.commands) out.push(`       ${command.name}`, wrap(command.summary, 11), "");
  }
  out.push("OPTIONS");
  for (const option of page.options) out.push(`       ${optionLabel(option)}`, wrap(optionText(option), 11), "");
  if (page.examples.length > 0) out.push("EXAMPLES", ...page.examples.map((example) => `       ${example}`), "");
  out.push("ENVIRONMENT");
  for (const [name, text] of ENVIRONMENT) out.push(`       ${name}`, wrap(text, 11), "");
  out.push("EXIT STATUS");
  for (const [code, text] of EXIT_STATUS) out.push(`       ${code}`, wrap(text, 11), "");
  if (page.name !== PROGRAM) out.push("SEE ALSO", `       ${PROGRAM}(1)`, "");
  return `${out.join("\n")}\n`;
}

/** Escapes text for groff: backslashes, and a leading `.` or `'` that would read as a request. */
export function groffEscape(text: string): string {
  return text.replace(/\\/gu, "\\e").replace(/-/gu, "\\-").replace(/^([.'])/u, "\\&$1");
}

const bold = (text: string) => `\\fB${groffEscape(text)}\\fR`;
const italic = (text: string) => `\\fI${groffEscape(text)}\\fR`;

function groffOption(option: HelpOption): string {
  const value = option.value === undefined ? "" : italic(option.value);
  const long = option.value === undefined ? bold(option.long) : `${bold(option.long)}=${value}`;
  return option.short === undefined ? long : `${bold(option.short)}${value === "" ? "" : ` ${value}`}, ${long}`;
}

function groffSynopsis(page: HelpPage): string {
  const operands = page.operands.map((operand) => ` ${italic(operand)}`).join("");
  return `${bold(page.invocation)} [${italic("OPTION")}]…${operands}`;
}

/** The page in man(7) macros, as installed under man1/ (ASCII only: other characters as \[uXXXX]). */
export function renderGroff(page: HelpPage, version: string): string {
  const out = [
    `.TH "${page.name.toUpperCase()}" 1 "" "${PROGRAM} ${version}" "${PROGRAM} manual"`,
    ".SH NAME",
    `${groffEscape(page.name)} \\- ${groffEscape(page.summary)}`,
    ".SH SYNOPSIS",
    groffSynopsis(page),
  ];
  if (page.commands.length > 0) {
    out.push(".SH COMMANDS");
    for (const command of page.commands) out.push(".TP 4", bold(command.name), groffEscape(command.summary));
  }
  out.push(".SH OPTIONS");
  for (const option of page.options) out.push(".TP 4", groffOption(option), groffEscape(optionText(option)));
  if (page.examples.length > 0) {
    out.push(".SH EXAMPLES");
    for (const example of page.examples) out.push(".PP", ".nf", groffEscape(example), ".fi");
  }
  out.push(".SH ENVIRONMENT");
  for (const [name, text] of ENVIRONMENT) out.push(".TP 4", bold(name), groffEscape(text));
  out.push('.SH "EXIT STATUS"');
  for (const [code, text] of EXIT_STATUS) out.push(".TP 4", bold(code), groffEscape(text));
  if (page.name !== PROGRAM) out.push(".SH SEE ALSO", `${bold(PROGRAM)}(1)`);
  return `${out.join("\n")}\n`.replace(/[^\x00-\x7f]/gu, (char) => `\\[u${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}]`);
}
