// OCaml's Format engine (format.ml: scan stack + token queue) restricted to boxes, breaks and
// text, margin 78: the line-fitting half of the opam printer. Pure: no I/O, knows nothing of opam.
const TEXT = 0, BREAK = 1, BEGIN = 2, END = 3;
/** Box kinds: h, v, hv, hov as in Format; FITS marks a box found to fit on the line. */
export const H = 0, V = 1, HV = 2, HOV = 3;
const FITS = 4;
const MARGIN = 78, MAX_INDENT = 68, INFINITY = 1000000010;

/**
 * OCaml's Format pretty-printer restricted to boxes, breaks and text. Tokens live in parallel
 * arrays (index = token id, never reused within one job) to keep allocation low; one instance is
 * reset and reused for every job.
 */
export class Formatter {
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

/** UTF-8 length, as OCaml's Format counts bytes. */
function byteLength(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return Buffer.byteLength(s, "utf8");
  return s.length;
}
