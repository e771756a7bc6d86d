// AST -> canonical opam text, byte-identical to opam's OpamPrinter.FullPos (OCaml Format boxes,
// margin 78). The Format engine below is a port of OCaml's format.ml (scan stack + token queue).
// Pure: no I/O. parseOpam(printOpam(items)) equals items modulo positions.
import type { Item, Value } from "./ast.js";

const TEXT = 0, BREAK = 1, BEGIN = 2, END = 3;
const H = 0, V = 1, HV = 2, HOV = 3, FITS = 4;
const MARGIN = 78, MAX_INDENT = 68, INFINITY = 1000000010;

/**
 * OCaml's Format pretty-printer restricted to boxes, breaks and text. Tokens live in parallel
 * arrays (index = token id, never reused within one job) to keep allocation low; one instance is
 * reset and reused for every job.
 */
class Formatter {
  out = "";
  private spaceLeft = MARGIN;
  private leftTotal = 1;
  private rightTotal = 1;
  private depth = 1;
  private count = 0;
  private head = 0;
  private kinds: number[] = [];
  /** Negative while unknown (minus the right total when it was queued), as in format.ml. */
  private sizes: number[] = [];
  private lengths: number[] = [];
  private texts: string[] = [];
  /** Breaks: spaces when the break fits. Boxes: indent. */
  private argA: number[] = [];
  /** Breaks: indent offset when the break breaks. Boxes: box kind. */
  private argB: number[] = [];
  /** The scan stack (format.ml's pp_scan_stack): right total when pushed, token id; `scanTop` is its top. */
  private scanLeft: number[] = [];
  private scanToken: number[] = [];
  private scanTop = 0;
  /** The format stack: kind and width of each open box; `boxTop` is its top (-1: empty). */
  private boxKinds: number[] = [];
  private boxWidths: number[] = [];
  private boxTop = -1;

  reset(): this {
    this.out = "";
    this.spaceLeft = MARGIN;
    this.leftTotal = this.rightTotal = this.depth = 1;
    this.count = this.head = 0;
    this.boxTop = -1;
    this.push(BEGIN, -1, 0, "", 0, HOV); // the system box
    this.resetScan();
    this.scanPushEntry(1, 0);
    return this;
  }

  openBox(kind: number, indent: number): void {
    this.depth++;
    this.scanPush(false, BEGIN, 0, indent, kind);
  }

  closeBox(): void {
    if (this.depth <= 1) return;
    this.push(END, 0, 0, "", 0, 0);
    this.setSize(true);
    this.setSize(false);
    this.depth--;
  }

  text(s: string): void {
    const length = byteLength(s);
    this.push(TEXT, length, length, s, 0, 0);
    this.advance();
  }

  /** `@ ` is brk(1, 0), `@,` is brk(0, 0), `@;<0 2>` is brk(0, 2). */
  brk(spaces: number, offset: number): void {
    this.scanPush(true, BREAK, spaces, spaces, offset);
  }

  flush(newline: boolean): string {
    while (this.depth > 1) this.closeBox();
    this.rightTotal = INFINITY;
    this.advance();
    if (newline) this.out += "\n";
    return this.out;
  }

  private push(kind: number, size: number, length: number, text: string, a: number, b: number): number {
    const i = this.count++;
    this.kinds[i] = kind;
    this.sizes[i] = size;
    this.lengths[i] = length;
    this.texts[i] = text;
    this.argA[i] = a;
    this.argB[i] = b;
    this.rightTotal += length;
    return i;
  }

  private resetScan(): void {
    this.scanLeft[0] = -1; // sentinel: always obsolete
    this.scanToken[0] = -1;
    this.scanTop = 0;
  }

  private scanPushEntry(leftTotal: number, token: number): void {
    const top = ++this.scanTop;
    this.scanLeft[top] = leftTotal;
    this.scanToken[top] = token;
  }

  private scanPush(isBreak: boolean, kind: number, length: number, a: number, b: number): void {
    const i = this.push(kind, -this.rightTotal, length, "", a, b);
    if (isBreak) this.setSize(true);
    this.scanPushEntry(this.rightTotal, i);
  }

  private setSize(isBreak: boolean): void {
    const top = this.scanTop;
    if (this.scanLeft[top]! < this.leftTotal) return this.resetScan();
    const i = this.scanToken[top]!;
    const kind = this.kinds[i];
    if ((kind === BREAK && isBreak) || (kind === BEGIN && !isBreak)) {
      this.sizes[i] = this.rightTotal + this.sizes[i]!;
      this.scanTop--;
    }
  }

  private advance(): void {
    while (this.head < this.count) {
      const i = this.head;
      const size = this.sizes[i]!;
      if (size < 0 && this.rightTotal - this.leftTotal < this.spaceLeft) return;
      this.head++;
      this.format(i, size < 0 ? INFINITY : size);
      this.leftTotal += this.lengths[i]!;
    }
  }

  private format(i: number, size: number): void {
    switch (this.kinds[i]) {
      case TEXT:
        this.spaceLeft -= size;
        this.out += this.texts[i]!;
        return;
      case BEGIN: {
        if (MARGIN - this.spaceLeft > MAX_INDENT) this.forceBreak();
        const kind = this.argB[i]!;
        const top = ++this.boxTop;
        this.boxKinds[top] = kind === V ? V : size > this.spaceLeft ? kind : FITS;
        this.boxWidths[top] = this.spaceLeft - this.argA[i]!;
        return;
      }
      case END:
        if (this.boxTop >= 0) this.boxTop--;
        return;
      default: return this.formatBreak(i, size);
    }
  }

  private formatBreak(i: number, size: number): void {
    const top = this.boxTop;
    if (top < 0) return;
    const kind = this.boxKinds[top]!;
    if (kind === V || kind === HV || (kind === HOV && size > this.spaceLeft)) this.newLine(this.argB[i]!, this.boxWidths[top]!);
    else {
      this.spaceLeft -= this.argA[i]!;
      this.out += spaces(this.argA[i]!);
    }
  }

  private newLine(offset: number, width: number): void {
    const indent = Math.min(MAX_INDENT, MARGIN - width + offset);
    this.spaceLeft = MARGIN - indent;
    this.out += "\n" + spaces(indent);
  }

  private forceBreak(): void {
    const top = this.boxTop;
    if (top < 0) this.out += "\n";
    else if (this.boxWidths[top]! > this.spaceLeft && this.boxKinds[top] !== FITS && this.boxKinds[top] !== H) this.newLine(0, this.boxWidths[top]!);
  }
}

const SPACES = " ".repeat(MAX_INDENT + 1);

function spaces(n: number): string {
  return n <= MAX_INDENT ? SPACES.slice(0, n) : " ".repeat(n);
}

const formatter = new Formatter();

/** UTF-8 length, as OCaml's Format counts bytes. */
function byteLength(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return Buffer.byteLength(s, "utf8");
  return s.length;
}

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
