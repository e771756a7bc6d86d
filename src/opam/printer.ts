// AST -> canonical opam text, byte-identical to opam's OpamPrinter.FullPos (OCaml Format boxes,
// margin 78; the box engine is in printer-format.ts). Pure: no I/O.
// parseOpam(printOpam(items)) equals items modulo positions.
import type { Item, Value } from "./ast.js";
import { Formatter, H, HOV, HV, V } from "./printer-format.js";

const formatter = new Formatter();

/** `"…"` body: opam escapes `"` and `\`; we also escape CR so that CRLF survives a re-parse. */
function escapeString(s: string): string {
  return /["\\\r]/.test(s) ? s.replace(/["\\\r]/g, (c) => (c === "\r" ? "\\r" : `\\${c}`)) : s;
}

/** `"""…"""` body: `\` always, `"` only where it would close the string (OpamPrinter's rule). */
function escapeTriple(s: string): string {
  let out = "";
  let seg = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const escape = c === 92 || c === 13 ||
      (c === 34 && (i === n - 1 || (s.charCodeAt(i + 1) === 34 && s.charCodeAt(i + 2) === 34)));
    if (!escape) continue;
    out += s.slice(seg, i) + (c === 13 ? "\\r" : c === 92 ? "\\\\" : "\\\"");
    seg = i + 1;
  }
  return out + s.slice(seg);
}

/**
 * A string literal. With a newline inside, opam writes `"""` and, unless the text starts with a
 * newline, a backslash-newline first; a leading blank is then escaped so the continuation does
 * not swallow it (opam itself loses it).
 */
export function quoteString(s: string): string {
  if (!s.includes("\n")) return `"${escapeString(s)}"`;
  if (s.charCodeAt(0) === 10) return `"""${escapeTriple(s)}"""`;
  const first = s.charCodeAt(0);
  const lead = first === 32 ? "\\ " : first === 9 ? "\\t" : "";
  return `"""\\\n${lead}${escapeTriple(lead === "" ? s : s.slice(1))}"""`;
}

/** True if the printed value starts with `=` (so `!` before it must not fuse into `!=`). */
function startsWithEquals(value: Value): boolean {
  switch (value.kind) {
    case "prefixRelop": return value.op === "=";
    case "option": return startsWithEquals(value.value);
    case "relop": case "logop": case "envBinding": return startsWithEquals(value.left);
    default: return false;
  }
}

function formatValue(f: Formatter, v: Value): void {
  switch (v.kind) {
    case "ident": return f.text(v.name);
    case "int": return f.text(v.raw);
    case "bool": return f.text(v.value ? "true" : "false");
    case "string": return f.text(quoteString(v.value));
    case "relop": case "envBinding": return formatBinary(f, H, v.left, v.op, v.right);
    case "logop": return formatBinary(f, HV, v.left, v.op, v.right);
    case "pfxop":
      f.openBox(H, 0);
      f.text(v.op === "!" && startsWithEquals(v.arg) ? "! " : v.op);
      formatValue(f, v.arg);
      return f.closeBox();
    case "prefixRelop":
      f.openBox(H, 0);
      f.text(v.op);
      f.brk(1, 0);
      formatValue(f, v.arg);
      return f.closeBox();
    case "list": return formatBracketed(f, HV, "[", v.items, "]");
    case "group":
      f.openBox(HV, 0);
      f.text("(");
      formatValues(f, v.items);
      f.text(")");
      return f.closeBox();
    case "option": return formatOption(f, v.value, v.options);
  }
}

function formatBinary(f: Formatter, box: number, left: Value, op: string, right: Value): void {
  f.openBox(box, 0);
  formatValue(f, left);
  f.text(` ${op}`);
  f.brk(1, 0);
  formatValue(f, right);
  f.closeBox();
}

/** `@[<box>OPEN@;<0 2>@[<box>values@]@,CLOSE@]` (OPEN may carry a field name). */
function formatBracketed(f: Formatter, box: number, open: string, items: readonly Value[], close: string): void {
  f.openBox(box, 0);
  f.text(open);
  f.brk(0, 2);
  f.openBox(box, 0);
  formatValues(f, items);
  f.closeBox();
  f.brk(0, 0);
  f.text(close);
  f.closeBox();
}

function formatOption(f: Formatter, value: Value, options: readonly Value[]): void {
  f.openBox(HOV, 2);
  formatValue(f, value);
  f.brk(1, 0);
  f.text("{");
  f.openBox(HV, 0);
  formatValues(f, options);
  f.closeBox();
  f.text("}");
  f.closeBox();
}

function formatValues(f: Formatter, values: readonly Value[]): void {
  for (let i = 0; i < values.length; i++) {
    if (i > 0) f.brk(1, 0);
    formatValue(f, values[i]!);
  }
}

function formatItem(f: Formatter, item: Item): void {
  if (item.kind === "section") {
    const label = item.label === undefined ? "" : `"${escapeString(item.label)}" `;
    f.openBox(V, 0);
    f.text(`${item.section} ${label}{`);
    f.brk(0, 2);
    f.openBox(V, 0);
    formatItems(f, item.items);
    f.closeBox();
    f.brk(0, 0);
    f.text("}");
    return f.closeBox();
  }
  const { name, value } = item;
  if (value.kind === "list") {
    const vertical = value.items.some((v) => v.kind === "list" || (v.kind === "option" && v.options.length > 0));
    return formatBracketed(f, vertical ? V : HV, `${name}: [`, value.items, "]");
  }
  const multiline = value.kind === "string" && value.value.includes("\n");
  f.openBox(HOV, multiline ? 0 : 2);
  f.text(multiline ? `${name}: ` : `${name}:`);
  if (!multiline) f.brk(1, 0);
  formatValue(f, value);
  f.closeBox();
}

function formatItems(f: Formatter, items: readonly Item[]): void {
  f.openBox(V, 0);
  for (let i = 0; i < items.length; i++) {
    if (i > 0) f.brk(0, 0);
    formatItem(f, items[i]!);
  }
  f.closeBox();
}

/**
 * A whole opam file, ending with a newline. One deliberate difference from opam: a field whose
 * value is `[]` or `[[]]` is printed (`name: []`) instead of being dropped, so that printing
 * never loses an item; callers that want opam's behaviour leave such fields out.
 */
export function printOpam(items: readonly Item[]): string {
  const f = formatter.reset();
  formatItems(f, items);
  return f.flush(true);
}

/** One value as opam prints it (OpamPrinter.FullPos.value), without a trailing newline. */
export function printValue(value: Value): string {
  const f = formatter.reset();
  formatValue(f, value);
  return f.flush(false);
}
