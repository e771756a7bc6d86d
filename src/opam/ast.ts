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

type Node = OpamFile | readonly Item[] | Item | Value;

/** A deep copy with every position set to NO_POS (for comparisons and snapshots). */
export function stripPositions<T extends Node>(node: T): T {
  return JSON.parse(JSON.stringify(node, (key, v: unknown) => (key === "pos" ? NO_POS : v))) as T;
}

/**
 * Structural equality ignoring positions. Two OpamFiles compare by their items only (the file
 * name is where it was read from, not content).
 */
export function equalModuloPositions(a: Node, b: Node): boolean {
  const x = isOpamFile(a) ? a.items : a;
  const y = isOpamFile(b) ? b.items : b;
  if (Array.isArray(x) || Array.isArray(y)) return Array.isArray(x) && Array.isArray(y) && equalItems(x, y);
  if (isItem(x) || isItem(y)) return isItem(x) && isItem(y) && equalItem(x, y);
  return equalValue(x as Value, y as Value);
}

function isOpamFile(node: Node): node is OpamFile {
  return !Array.isArray(node) && "file" in node && "items" in node && !("kind" in node);
}

function isItem(node: Node): node is Item {
  return !Array.isArray(node) && "kind" in node && (node.kind === "field" || node.kind === "section");
}

function equalItems(a: readonly Item[], b: readonly Item[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!equalItem(a[i]!, b[i]!)) return false;
  return true;
}

function equalItem(a: Item, b: Item): boolean {
  if (a.kind === "field") return b.kind === "field" && a.name === b.name && equalValue(a.value, b.value);
  return b.kind === "section" && a.section === b.section && a.label === b.label && equalItems(a.items, b.items);
}

function equalValues(a: readonly Value[], b: readonly Value[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!equalValue(a[i]!, b[i]!)) return false;
  return true;
}

function equalValue(a: Value, b: Value): boolean {
  switch (a.kind) {
    case "bool": return b.kind === "bool" && a.value === b.value;
    case "int": return b.kind === "int" && a.value === b.value && a.raw === b.raw;
    case "string": return b.kind === "string" && a.value === b.value;
    case "ident": return b.kind === "ident" && a.name === b.name;
    case "relop": case "logop": case "envBinding":
      return b.kind === a.kind && a.op === b.op && equalValue(a.left, b.left) && equalValue(a.right, b.right);
    case "prefixRelop": case "pfxop": return b.kind === a.kind && a.op === b.op && equalValue(a.arg, b.arg);
    case "list": case "group": return b.kind === a.kind && equalValues(a.items, b.items);
    case "option": return b.kind === "option" && equalValue(a.value, b.value) && equalValues(a.options, b.options);
  }
}
