// The opam file syntax tree (opam-file-format's value/item types), with a position on every
// node. Pure types plus tiny constructors; parsing lives in parser.ts, printing in printer.ts.

/** 1-based line and 1-based column of the first character of a node. */
export interface Pos {
  line: number;
  col: number;
}

export type RelOp = "=" | "!=" | "<" | "<=" | ">" | ">=";
export type LogOp = "&" | "|";
export type PfxOp = "!" | "?";
export type EnvOp = "=" | "+=" | "=+" | ":=" | "=:" | "=+=";

export type Value =
  | { kind: "bool"; value: boolean; pos: Pos }
  /** `raw` keeps the source spelling (underscores, leading `-`); `value` is its number. */
  | { kind: "int"; value: number; raw: string; pos: Pos }
  | { kind: "string"; value: string; pos: Pos }
  | { kind: "ident"; name: string; pos: Pos }
  /** `left op right`, e.g. `os = "linux"`. */
  | { kind: "relop"; op: RelOp; left: Value; right: Value; pos: Pos }
  /** `op arg` with no left side, e.g. `>= "1.0"` inside a constraint. */
  | { kind: "prefixRelop"; op: RelOp; arg: Value; pos: Pos }
  | { kind: "logop"; op: LogOp; left: Value; right: Value; pos: Pos }
  | { kind: "pfxop"; op: PfxOp; arg: Value; pos: Pos }
  /** `VAR += "x"` in setenv/build-env. */
  | { kind: "envBinding"; op: EnvOp; left: Value; right: Value; pos: Pos }
  | { kind: "list"; items: Value[]; pos: Pos }
  /** `( … )` */
  | { kind: "group"; items: Value[]; pos: Pos }
  /** `value { options… }` */
  | { kind: "option"; value: Value; options: Value[]; pos: Pos };

export type Item =
  | { kind: "field"; name: string; value: Value; pos: Pos }
  /** `url { … }` (label undefined) or `extra-source "name" { … }`. */
  | { kind: "section"; section: string; label: string | undefined; items: Item[]; pos: Pos };

export interface OpamFile {
  /** The path it was read from, as given to the parser (used in error messages). */
  file: string;
  items: Item[];
}

export const NO_POS: Pos = { line: 0, col: 0 };

export function str(value: string, pos: Pos = NO_POS): Value {
  return { kind: "string", value, pos };
}

export function ident(name: string, pos: Pos = NO_POS): Value {
  return { kind: "ident", name, pos };
}

export function list(items: Value[], pos: Pos = NO_POS): Value {
  return { kind: "list", items, pos };
}

export function field(name: string, value: Value, pos: Pos = NO_POS): Item {
  return { kind: "field", name, value, pos };
}

/** The last field called `name` at the top level of `items` (x- fields: last wins). */
export function findField(items: readonly Item[], name: string): Extract<Item, { kind: "field" }> | undefined {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    if (item.kind === "field" && item.name === name) return item;
  }
  return undefined;
}
