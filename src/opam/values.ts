// Typed reading of opam values (strings, lists, pairs) with the reference's error format
// `Error in opam file <file>, [l:c]-[l:c]: Expected …, got: <value>`. Pure.
import { UserError, type ErrorCode } from "../core/errors.js";
import type { Pos, Value } from "./ast.js";
import { printValue } from "./printer.js";

/** OCaml's `%S`: a double-quoted string with OCaml escapes (used in the reference's messages). */
export function ocamlQuoted(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === "\\") out += `\\${char}`;
    else if (char === "\n") out += "\\n";
    else if (char === "\t") out += "\\t";
    else if (char === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\${String(code).padStart(3, "0")}`;
    else out += char;
  }
  return `"${out}"`;
}

/** A value as opam's `OpamPrinter.FullPos.value` shows it in messages. */
export function valueText(value: Value): string {
  return printValue(value);
}

/** `[line:col]-[line:col]` with opam's 0-based columns; the end only when the parser records it. */
export function positionText(pos: Pos): string {
  const end = (pos as Pos & { end?: Pos }).end;
  const start = `[${pos.line}:${Math.max(0, pos.col - 1)}]`;
  return end === undefined ? start : `${start}-[${end.line}:${Math.max(0, end.col - 1)}]`;
}

export function valueError(file: string, value: Value, message: string, code: ErrorCode = "OPAM_FIELD"): UserError {
  return new UserError(code, `Error in opam file ${file}, ${positionText(value.pos)}: ${message}`);
}

export function unexpectedValue(file: string, value: Value, expected: string, code: ErrorCode = "OPAM_FIELD"): UserError {
  return valueError(file, value, `Expected ${expected}, got: ${valueText(value)}`, code);
}

export function expectString(file: string, value: Value, code?: ErrorCode): string {
  if (value.kind !== "string") throw unexpectedValue(file, value, "a string", code);
  return value.value;
}

export function expectList(file: string, value: Value, code?: ErrorCode): Value[] {
  if (value.kind !== "list") throw unexpectedValue(file, value, "a list", code);
  return value.items;
}

export function expectStringList(file: string, value: Value, code?: ErrorCode): string[] {
  return expectList(file, value, code).map((item) => expectString(file, item, code));
}

/** The value is a list of exactly two elements. */
export function expectPair(file: string, value: Value, code?: ErrorCode): [Value, Value] {
  if (value.kind !== "list" || value.items.length !== 2) throw unexpectedValue(file, value, "a pair", code);
  return [value.items[0]!, value.items[1]!];
}
