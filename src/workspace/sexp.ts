// A tiny S-expression model and a printer that lays it out the way `dune format-dune-file`
// does (so dune reads it and its formatter leaves it unchanged). Pure: no I/O, no templates.
import { InternalError } from "../core/errors.js";

export type Sexp = { kind: "atom"; value: string } | { kind: "list"; items: Sexp[] };

/** A top-level entry of a dune file: a form, or a `;;` comment line. */
export type TopLevel = Sexp | { kind: "comment"; text: string };

export function atom(value: string): Sexp {
  return { kind: "atom", value };
}

export function list(...items: Sexp[]): Sexp {
  return { kind: "list", items };
}

/** `(name a b c)` with every argument an atom. */
export function field(name: string, ...values: string[]): Sexp {
  return list(atom(name), ...values.map(atom));
}

export function comment(text: string): TopLevel {
  if (/[\r\n]/.test(text)) throw new InternalError(`a dune comment must be one line: ${JSON.stringify(text)}`);
  return { kind: "comment", text };
}

/** dune's formatter keeps a wrappable list on one line while it ends before this column. */
const LAST_COLUMN = 77;

/** True when dune would need the atom quoted to read it back as the same string. */
function needsQuotes(value: string): boolean {
  if (value === "") return true;
  if (value.includes("%{") || value.includes("|#") || value.startsWith("#|") || value.startsWith("#;")) return true;
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code <= 0x20 || code >= 0x7f || `"();\\`.includes(char)) return true;
  }
  return false;
}

/** A dune quoted string: `\\`, `\"`, `\n`, `\t`, `\%{`, and `\DDD` (decimal) for other bytes. */
function quote(value: string): string {
  let out = '"';
  const bytes = Buffer.from(value, "utf8");
  bytes.forEach((byte, index) => {
    const char = String.fromCharCode(byte);
    if (char === "\\" || char === '"') out += `\\${char}`;
    else if (char === "\n") out += "\\n";
    else if (char === "\t") out += "\\t";
    else if (char === "%" && bytes[index + 1] === 0x7b) out += "\\%";
    else if (byte < 0x20 || byte >= 0x7f) out += `\\${byte.toString().padStart(3, "0")}`;
    else out += char;
  });
  return `${out}"`;
}

export function formatAtom(value: string): string {
  return needsQuotes(value) ? quote(value) : value;
}

function flat(sexp: Sexp): string {
  if (sexp.kind === "atom") return formatAtom(sexp.value);
  return `(${sexp.items.map(flat).join(" ")})`;
}

/** dune prints a list on one line when each element is an atom or a list of at most one element. */
function wrappable(items: readonly Sexp[]): boolean {
  return items.every((item) => item.kind === "atom" || item.items.length <= 1);
}

/** `sexp` printed with its first character at `column` (continuation lines are indented to match). */
export function printSexp(sexp: Sexp, column = 0): string {
  if (sexp.kind === "atom" || sexp.items.length === 0) return flat(sexp);
  const pad = `\n${" ".repeat(column + 1)}`;
  if (wrappable(sexp.items)) {
    const oneLine = flat(sexp);
    if (column + oneLine.length <= LAST_COLUMN) return oneLine;
    return `(${sexp.items.map(flat).join(pad)})`;
  }
  return `(${sexp.items.map((item) => printSexp(item, column + 1)).join(pad)})`;
}

/** A whole dune file: top-level entries separated by blank lines, ending with a newline. */
export function printDocument(entries: readonly TopLevel[]): string {
  const blocks = entries.map((entry) => (entry.kind === "comment" ? `;; ${entry.text}` : printSexp(entry)));
  return `${blocks.join("\n\n")}\n`;
}
