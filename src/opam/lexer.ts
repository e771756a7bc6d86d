// Hand-written opam file lexer (opam-file-format's opamLexer.mll): one pass over char codes,
// longest match with ties to the earlier rule. Never throws anything but UserError OPAM_PARSE.
import { UserError } from "../core/errors.js";

// Token kinds (plain numbers so the hot loop compares small integers).
export const EOF = 0, STRING = 1, IDENT = 2, BOOL = 3, INT = 4, RELOP = 5, ENVOP = 6, PFXOP = 7;
export const AND = 8, OR = 9, COLON = 10, LBRACE = 11, RBRACE = 12, LBRACKET = 13, RBRACKET = 14;
export const LPAR = 15, RPAR = 16;
export const TOKEN_NAMES = ["EOF", "STRING", "IDENT", "BOOL", "INT", "RELOP", "ENVOP", "PFXOP",
  "AND", "OR", "COLON", "LBRACE", "RBRACE", "LBRACKET", "RBRACKET", "LPAR", "RPAR"] as const;

const ICHAR = 1, ALPHA = 2, INTCHAR = 4;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z]/.test(ch)) CLASS[c] = ICHAR | ALPHA;
  else if (/[0-9_]/.test(ch)) CLASS[c] = ICHAR | INTCHAR;
  else if (ch === "-") CLASS[c] = ICHAR;
}

/** `file:line:col: message` as an OPAM_PARSE user error. */
export function parseError(file: string, line: number, col: number, message: string): UserError {
  return new UserError("OPAM_PARSE", `${file}:${line}:${col}: ${message}`);
}

/** A printable rendering of one character for error messages. */
export function showChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code >= 0x20 && code < 0x7f) return `'${ch}'`;
  if (code === 13) return "a carriage return (a lone '\\r' outside a string)";
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Cursor over one opam file. `next()` advances to the next token and sets `tok` (kind), `value`
 * (string contents, identifier, operator or raw integer), `num` (integer value) and the token's
 * 1-based `line`/`col`.
 */
export class Lexer {
  tok = EOF;
  value = "";
  num = 0;
  line = 1;
  col = 1;
  /** Index of the token's first character. */
  start = 0;
  private pos = 0;
  private curLine = 1;
  private lineStart = 0;

  constructor(readonly text: string, readonly file: string) {}

  error(line: number, col: number, message: string): UserError {
    return parseError(this.file, line, col, message);
  }

  private errorAt(index: number, message: string): UserError {
    return this.error(this.curLine, index - this.lineStart + 1, message);
  }

  next(): void {
    const text = this.text;
    const n = text.length;
    let p = this.pos;
    for (;;) {
      if (p >= n) return this.set(EOF, p, p, "");
      const c = text.charCodeAt(p);
      switch (c) {
        case 32: case 9: p++; continue;
        case 10: p++; this.curLine++; this.lineStart = p; continue;
        case 13:
          if (text.charCodeAt(p + 1) !== 10) throw this.errorAt(p, `invalid character ${showChar("\r")}`);
          p += 2; this.curLine++; this.lineStart = p; continue;
        case 35: { const e = text.indexOf("\n", p); p = e < 0 ? n : e; continue; }
        case 40:
          if (text.charCodeAt(p + 1) === 42) { p = this.skipComment(p); continue; }
          return this.set(LPAR, p, p + 1, "(");
        case 41: return this.set(RPAR, p, p + 1, ")");
        case 123: return this.set(LBRACE, p, p + 1, "{");
        case 125: return this.set(RBRACE, p, p + 1, "}");
        case 91: return this.set(LBRACKET, p, p + 1, "[");
        case 93: return this.set(RBRACKET, p, p + 1, "]");
        case 38: return this.set(AND, p, p + 1, "&");
        case 124: return this.set(OR, p, p + 1, "|");
        case 34: return this.lexString(p);
        default: return this.lexOperatorOrWord(p, c);
      }
    }
  }

  private set(tok: number, start: number, end: number, value: string): void {
    this.tok = tok;
    this.value = value;
    this.start = start;
    this.line = this.curLine;
    this.col = start - this.lineStart + 1;
    this.pos = end;
  }

  private lexOperatorOrWord(p: number, c: number): void {
    const next = this.text.charCodeAt(p + 1);
    switch (c) {
      case 58: return next === 61 ? this.set(ENVOP, p, p + 2, ":=") : this.set(COLON, p, p + 1, ":");
      case 33: return next === 61 ? this.set(RELOP, p, p + 2, "!=") : this.set(PFXOP, p, p + 1, "!");
      case 63: return this.set(PFXOP, p, p + 1, "?");
      case 60: return next === 61 ? this.set(RELOP, p, p + 2, "<=") : this.set(RELOP, p, p + 1, "<");
      case 62: return next === 61 ? this.set(RELOP, p, p + 2, ">=") : this.set(RELOP, p, p + 1, ">");
      case 126: return this.set(RELOP, p, p + 1, ">="); // `~` is read as `>=`
      case 43:
        if (next === 61) return this.set(ENVOP, p, p + 2, "+=");
        break;
      case 61: return this.lexEquals(p, next);
      default:
        if (c < 128 && (CLASS[c]! & ICHAR) !== 0) return this.lexWord(p);
    }
    const ch = String.fromCodePoint(this.text.codePointAt(p)!);
    throw this.errorAt(p, `invalid character ${showChar(ch)}`);
  }

  /** `=`, `=+`, `=:`, `=+=` (and the rejected `=:=`). */
  private lexEquals(p: number, next: number): void {
    if (next !== 43 && next !== 58) return this.set(RELOP, p, p + 1, "=");
    if (this.text.charCodeAt(p + 2) === 61) {
      if (next === 58) throw this.errorAt(p, "'=:=' is not a valid environment update operator");
      return this.set(ENVOP, p, p + 3, "=+=");
    }
    return this.set(ENVOP, p, p + 2, next === 43 ? "=+" : "=:");
  }

  /** End of the ichar run starting at `p`, negated when the run holds no letter. */
  private runEnd(p: number): number {
    const text = this.text;
    let alpha = false;
    for (;; p++) {
      const c = text.charCodeAt(p);
      if (!(c < 128) || (CLASS[c]! & ICHAR) === 0) break;
      if ((CLASS[c]! & ALPHA) !== 0) alpha = true;
    }
    return alpha ? p : -p;
  }

  /** End of an ident component (`id` or `_`) starting at `p`, or -1. */
  private componentEnd(p: number): number {
    const end = this.runEnd(p);
    if (end > 0) return end;
    return this.text.charCodeAt(p) === 95 ? p + 1 : -1;
  }

  /** INT, BOOL or IDENT: the longest of the int and ident matches; ties go to INT. */
  private lexWord(start: number): void {
    const text = this.text;
    let idEnd = this.componentEnd(start);
    if (idEnd > 0) {
      while (text.charCodeAt(idEnd) === 43) {
        const e = this.componentEnd(idEnd + 1);
        if (e < 0) break;
        idEnd = e;
      }
      if (text.charCodeAt(idEnd) === 58) {
        const e = this.runEnd(idEnd + 1);
        if (e > 0) idEnd = e;
      }
    }
    let intEnd = text.charCodeAt(start) === 45 ? start + 1 : start;
    const digits = intEnd;
    while (intEnd < text.length) {
      const c = text.charCodeAt(intEnd);
      if (c >= 128 || (CLASS[c]! & INTCHAR) === 0) break;
      intEnd++;
    }
    if (intEnd === digits) intEnd = -1;
    if (idEnd < 0 && intEnd < 0) throw this.errorAt(start, `invalid character ${showChar(text[start]!)}`);
    if (idEnd > intEnd) {
      const word = text.slice(start, idEnd);
      return this.set(word === "true" || word === "false" ? BOOL : IDENT, start, idEnd, word);
    }
    this.lexInt(start, intEnd);
  }

  private lexInt(start: number, end: number): void {
    const raw = this.text.slice(start, end);
    const negative = raw.charCodeAt(0) === 45;
    const first = raw.charCodeAt(negative ? 1 : 0);
    if (first < 48 || first > 57) throw this.errorAt(start, `invalid integer '${raw}'`);
    const value = Number(raw.replace(/_/g, ""));
    if (!Number.isSafeInteger(value)) throw this.errorAt(start, `integer '${raw}' is out of range`);
    this.set(INT, start, end, raw);
    this.num = value === 0 ? 0 : value;
  }

  /** Skips a nested `(* … *)` comment starting at `p`; returns the index after it. */
  private skipComment(p: number): number {
    const text = this.text;
    const n = text.length;
    const startLine = this.curLine, startCol = p - this.lineStart + 1;
    let depth = 1;
    p += 2;
    while (depth > 0) {
      if (p >= n) throw this.error(startLine, startCol, "unterminated comment");
      const c = text.charCodeAt(p);
      if (c === 42 && text.charCodeAt(p + 1) === 41) { depth--; p += 2; }
      else if (c === 40 && text.charCodeAt(p + 1) === 42) { depth++; p += 2; }
      else {
        p++;
        if (c === 10) { this.curLine++; this.lineStart = p; }
      }
    }
    return p;
  }

  /** `"…"` or `"""…"""` starting at the opening quote `q`. CRLF inside is stored as LF. */
  private lexString(q: number): void {
    const text = this.text;
    const n = text.length;
    const line = this.curLine, col = q - this.lineStart + 1;
    const triple = text.charCodeAt(q + 1) === 34 && text.charCodeAt(q + 2) === 34;
    let p = triple ? q + 3 : q + 1;
    let seg = p;
    let acc = "";
    for (;;) {
      if (p >= n) throw this.error(line, col, "unterminated string");
      const c = text.charCodeAt(p);
      if (c === 34) {
        if (!triple) break;
        if (text.charCodeAt(p + 1) === 34 && text.charCodeAt(p + 2) === 34) break;
        p++;
      } else if (c === 10) {
        p++; this.curLine++; this.lineStart = p;
      } else if (c === 92) {
        acc += text.slice(seg, p);
        p = this.lexEscape(p, line, col);
        acc += this.value;
        seg = p;
      } else if (c === 13 && text.charCodeAt(p + 1) === 10) {
        acc += text.slice(seg, p);
        seg = ++p;
      } else p++;
    }
    this.tok = STRING;
    this.value = acc + text.slice(seg, p);
    this.start = q;
    this.line = line;
    this.col = col;
    this.pos = triple ? p + 3 : p + 1;
  }

  /** The escape at backslash `p`: sets `value` to its expansion; returns the index after it. */
  private lexEscape(p: number, line: number, col: number): number {
    const text = this.text;
    const c = text.charCodeAt(p + 1);
    switch (c) {
      case 92: this.value = "\\"; return p + 2;
      case 34: this.value = "\""; return p + 2;
      case 39: this.value = "'"; return p + 2;
      case 110: this.value = "\n"; return p + 2;
      case 114: this.value = "\r"; return p + 2;
      case 116: this.value = "\t"; return p + 2;
      case 98: this.value = "\b"; return p + 2;
      case 32: this.value = " "; return p + 2;
      case 10: case 13: return this.lineContinuation(p, c);
      case 120: return this.hexEscape(p);
    }
    if (c >= 48 && c <= 57) return this.decimalEscape(p);
    if (Number.isNaN(c)) throw this.error(line, col, "unterminated string");
    throw this.errorAt(p, `illegal escape sequence \\${String.fromCodePoint(text.codePointAt(p + 1)!)}`);
  }

  private lineContinuation(p: number, c: number): number {
    const text = this.text;
    if (c === 13 && text.charCodeAt(p + 2) !== 10) throw this.errorAt(p, "illegal escape sequence \\r (a lone carriage return)");
    p += c === 13 ? 3 : 2;
    this.curLine++;
    this.lineStart = p;
    for (let b = text.charCodeAt(p); b === 32 || b === 9; b = text.charCodeAt(++p));
    this.value = "";
    return p;
  }

  private decimalEscape(p: number): number {
    const digits = this.text.slice(p + 1, p + 4);
    if (!/^[0-9]{3}$/.test(digits)) throw this.errorAt(p, `illegal escape sequence \\${digits.replace(/[^0-9].*$/s, "")} (three decimal digits expected)`);
    const code = Number(digits);
    if (code > 255) throw this.errorAt(p, `illegal escape sequence \\${digits} (above 255)`);
    this.value = String.fromCharCode(code);
    return p + 4;
  }

  private hexEscape(p: number): number {
    const digits = this.text.slice(p + 2, p + 4);
    if (!/^[0-9a-fA-F]{2}$/.test(digits)) throw this.errorAt(p, `illegal escape sequence \\x${digits.replace(/[^0-9a-fA-F].*$/s, "")} (two hexadecimal digits expected)`);
    this.value = String.fromCharCode(parseInt(digits, 16));
    return p + 4;
  }
}

export interface Token {
  kind: (typeof TOKEN_NAMES)[number];
  value: string;
  line: number;
  col: number;
}

/** Every token of `text` up to and including EOF (for tests and diagnostics). */
export function tokenize(text: string, file = "<input>"): Token[] {
  const lexer = new Lexer(text, file);
  const tokens: Token[] = [];
  do {
    lexer.next();
    tokens.push({ kind: TOKEN_NAMES[lexer.tok]!, value: lexer.value, line: lexer.line, col: lexer.col });
  } while (lexer.tok !== EOF);
  return tokens;
}
