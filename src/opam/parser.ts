// opam file parser (opam-file-format's opamBaseParser.mly) by recursive descent over lexer.ts.
// Binding, loosest first: `|` < `&` < prefix `!`/`?` < postfix `{…}` < relations (atoms only).
// Never throws anything but UserError("OPAM_PARSE", "<file>:<line>:<col>: …").
import type { EnvOp, Item, OpamFile, PfxOp, Pos, RelOp, Value } from "./ast.js";
import {
  AND, BOOL, COLON, ENVOP, EOF, IDENT, INT, LBRACE, LBRACKET, LPAR, Lexer, OR, PFXOP, RBRACE,
  RBRACKET, RELOP, RPAR, STRING,
} from "./lexer.js";

/**
 * Values and sections nest at most this deep, counting brackets, braces, prefix operators and the
 * links of `&`/`|` chains, so that recursion over any parsed AST (printer, typed layer) stays
 * bounded. The deepest value in opam-repository nests 14 levels.
 */
const MAX_DEPTH = 256;

/**
 * Parses a whole opam file. opam-version header rules (opam-file-format 2.1+): a non-first
 * `opam-version` field is an error when the first item is `opam-version: "X"` with X >= 2.1
 * ("cannot be repeated") or when its own value is >= 2.1 ("must be the first non-comment line").
 * If the first three tokens are `opam-version: "X"` with X > 2.2 (newer than this syntax) and the
 * file fails to parse, the result is just that opam-version field, as opam does (minus its
 * invalid "#" sentinel section).
 */
export function parseOpam(text: string, file: string): OpamFile {
  const lx = new Lexer(text, file);
  try {
    lx.next();
    const items = parseItems(lx, undefined, 0);
    checkOpamVersions(lx, items);
    return { file, items };
  } catch (error) {
    const header = newerHeader(text, file);
    if (header !== undefined) return { file, items: [header] };
    throw asParseError(lx, error);
  }
}

/** Parses exactly one value (CLI inputs, tests). */
export function parseValue(text: string, file = "<value>"): Value {
  const lx = new Lexer(text, file);
  try {
    lx.next();
    const value = expectValue(lx, 0, "expected a value");
    if (lx.tok !== EOF) throw lx.error(lx.line, lx.col, `unexpected ${describe(lx)} after the value`);
    return value;
  } catch (error) {
    throw asParseError(lx, error);
  }
}

/** Stack exhaustion or string-length limits on absurd inputs become parse errors too. */
function asParseError(lx: Lexer, error: unknown): unknown {
  if (error instanceof RangeError) return lx.error(lx.line, lx.col, `input too large or too deeply nested (${error.message})`);
  return error;
}

/** The current token kind, unnarrowed (TypeScript keeps `lx.tok` narrowed across `lx.next()`). */
function current(lx: Lexer): number {
  return lx.tok;
}

function pos(lx: Lexer): Pos {
  return { line: lx.line, col: lx.col };
}

function describe(lx: Lexer): string {
  switch (lx.tok) {
    case EOF: return "end of file";
    case STRING: {
      const s = lx.value.length > 30 ? `${lx.value.slice(0, 30)}…` : lx.value;
      return `string ${JSON.stringify(s)}`;
    }
    default: return `'${lx.value}'`;
  }
}

interface Opener {
  what: string;
  closer: string;
  pos: Pos;
}

function unclosed(lx: Lexer, opener: Opener, expected: string): Error {
  const where = `line ${opener.pos.line}, column ${opener.pos.col}`;
  if (lx.tok === EOF) return lx.error(lx.line, lx.col, `expected '${opener.closer}' to close ${opener.what} at ${where}, found end of file`);
  return lx.error(lx.line, lx.col, `expected ${expected}, found ${describe(lx)}`);
}

function parseItems(lx: Lexer, opener: Opener | undefined, depth: number): Item[] {
  if (depth > MAX_DEPTH) throw lx.error(lx.line, lx.col, `sections nested more than ${MAX_DEPTH} levels deep`);
  const items: Item[] = [];
  for (;;) {
    if (lx.tok === IDENT) items.push(parseItem(lx, depth));
    else if (opener === undefined ? lx.tok === EOF : lx.tok === RBRACE) return items;
    else if (opener !== undefined) throw unclosed(lx, opener, "a field name, a section or '}'");
    else if (lx.tok === RBRACE) throw lx.error(lx.line, lx.col, "unexpected '}'");
    else throw lx.error(lx.line, lx.col, `expected a field name or a section, found ${describe(lx)}`);
  }
}

function parseItem(lx: Lexer, depth: number): Item {
  const name = lx.value;
  const at = pos(lx);
  lx.next();
  if (lx.tok === COLON) {
    lx.next();
    const value = expectValue(lx, depth, `expected a value after '${name}:'`);
    const next = current(lx);
    if (next === COLON && value.kind === "ident") {
      const { line, col } = value.pos;
      throw lx.error(line, col, `expected a value after '${name}:', found the field name '${value.name}:'`);
    }
    if (next !== IDENT && next !== RBRACE && next !== EOF) {
      throw lx.error(lx.line, lx.col, `unexpected ${describe(lx)} after the value of '${name}' (a field holds exactly one value; use [ … ] for several)`);
    }
    return { kind: "field", name, value, pos: at };
  }
  let label: string | undefined;
  if (lx.tok === STRING) {
    label = lx.value;
    lx.next();
    if (current(lx) !== LBRACE) throw lx.error(lx.line, lx.col, `expected '{' after section ${name} ${JSON.stringify(label)}, found ${describe(lx)}`);
  }
  if (lx.tok === LBRACE) {
    lx.next();
    const items = parseItems(lx, { what: `section '${name}'`, closer: "}", pos: at }, depth + 1);
    lx.next();
    return { kind: "section", section: name, label, items, pos: at };
  }
  const hint = name.includes(":") ? ` ('${name}' reads as one identifier: write a space after ':')` : "";
  throw lx.error(lx.line, lx.col, `expected ':' or '{' after '${name}', found ${describe(lx)}${hint}`);
}

function startsValue(tok: number): boolean {
  return tok === STRING || tok === IDENT || tok === LBRACKET || tok === INT || tok === BOOL ||
    tok === LPAR || tok === RELOP || tok === PFXOP;
}

function expectValue(lx: Lexer, depth: number, expected: string): Value {
  if (!startsValue(lx.tok)) throw lx.error(lx.line, lx.col, `${expected}, found ${describe(lx)}`);
  return parseOr(lx, depth);
}

function checkDepth(lx: Lexer, depth: number): void {
  if (depth > MAX_DEPTH) throw lx.error(lx.line, lx.col, `values nested more than ${MAX_DEPTH} levels deep`);
}

function parseOr(lx: Lexer, depth: number): Value {
  let left = parseAnd(lx, depth);
  for (let links = 1; lx.tok === OR; links++) {
    checkDepth(lx, depth + links);
    lx.next();
    left = { kind: "logop", op: "|", left, right: parseAnd(lx, depth + links, "|"), pos: left.pos };
  }
  return left;
}

function parseAnd(lx: Lexer, depth: number, after?: string): Value {
  let left = parseUnary(lx, depth, after);
  for (let links = 1; lx.tok === AND; links++) {
    checkDepth(lx, depth + links);
    lx.next();
    left = { kind: "logop", op: "&", left, right: parseUnary(lx, depth + links, "&"), pos: left.pos };
  }
  return left;
}

function parseUnary(lx: Lexer, depth: number, after?: string): Value {
  if (lx.tok !== PFXOP) {
    if (!startsValue(lx.tok)) throw lx.error(lx.line, lx.col, `expected a value after '${after}', found ${describe(lx)}`);
    return parsePostfix(lx, depth);
  }
  const ops: { op: PfxOp; pos: Pos }[] = [];
  while (lx.tok === PFXOP) {
    ops.push({ op: lx.value as PfxOp, pos: pos(lx) });
    lx.next();
  }
  if (!startsValue(lx.tok)) throw lx.error(lx.line, lx.col, `expected a value after '${ops[ops.length - 1]!.op}', found ${describe(lx)}`);
  checkDepth(lx, depth + ops.length);
  let value = parsePostfix(lx, depth + ops.length);
  for (let i = ops.length - 1; i >= 0; i--) value = { kind: "pfxop", op: ops[i]!.op, arg: value, pos: ops[i]!.pos };
  return value;
}

function parsePostfix(lx: Lexer, depth: number): Value {
  let value = parsePrimary(lx, depth);
  for (let links = 1; lx.tok === LBRACE; links++) {
    const opener = { what: "the '{'", closer: "}", pos: pos(lx) };
    lx.next();
    const options = parseValues(lx, RBRACE, opener, depth + links);
    value = { kind: "option", value, options, pos: value.pos };
  }
  return value;
}

function parsePrimary(lx: Lexer, depth: number): Value {
  switch (lx.tok) {
    case LBRACKET: {
      const opener = { what: "the '['", closer: "]", pos: pos(lx) };
      lx.next();
      return { kind: "list", items: parseValues(lx, RBRACKET, opener, depth + 1), pos: opener.pos };
    }
    case LPAR: {
      const opener = { what: "the '('", closer: ")", pos: pos(lx) };
      lx.next();
      return { kind: "group", items: parseValues(lx, RPAR, opener, depth + 1), pos: opener.pos };
    }
    case RELOP: {
      const at = pos(lx);
      const op = lx.value as RelOp;
      lx.next();
      return { kind: "prefixRelop", op, arg: expectAtom(lx, op), pos: at };
    }
    default: return parseRelation(lx);
  }
}

/** An atom, possibly the left side of `atom RELOP atom` or `atom ENVOP atom`. */
function parseRelation(lx: Lexer): Value {
  const left = atom(lx);
  if (lx.tok === RELOP) {
    const op = lx.value as RelOp;
    lx.next();
    return { kind: "relop", op, left, right: expectAtom(lx, op), pos: left.pos };
  }
  if (lx.tok === ENVOP) {
    const op = lx.value as EnvOp;
    lx.next();
    return { kind: "envBinding", op, left, right: expectAtom(lx, op), pos: left.pos };
  }
  return left;
}

function expectAtom(lx: Lexer, op: string): Value {
  const tok = lx.tok;
  if (tok === STRING || tok === IDENT || tok === INT || tok === BOOL) return atom(lx);
  throw lx.error(lx.line, lx.col, `expected a string, identifier, integer or boolean after '${op}', found ${describe(lx)}`);
}

/** The current token as an atom (the caller checked its kind); advances past it. */
function atom(lx: Lexer): Value {
  const at = pos(lx);
  const tok = lx.tok;
  const text = lx.value;
  const num = lx.num;
  lx.next();
  switch (tok) {
    case STRING: return { kind: "string", value: text, pos: at };
    case IDENT: return { kind: "ident", name: text, pos: at };
    case INT: return { kind: "int", value: num, raw: text, pos: at };
    default: return { kind: "bool", value: text === "true", pos: at };
  }
}

/** Values up to `closer`, which is consumed. */
function parseValues(lx: Lexer, closer: number, opener: Opener, depth: number): Value[] {
  checkDepth(lx, depth);
  const values: Value[] = [];
  while (lx.tok !== closer) {
    if (!startsValue(lx.tok)) throw unclosed(lx, opener, `a value or '${opener.closer}'`);
    values.push(parseOr(lx, depth));
  }
  lx.next();
  return values;
}

/** [major, minor] of an opam-version string such as "2.1" or "4"; undefined if not numeric. */
function versionPair(version: string): [number, number] | undefined {
  const m = /^(\d+)(?:\.(\d+))?/.exec(version);
  return m === null ? undefined : [Number(m[1]), m[2] === undefined ? 0 : Number(m[2])];
}

function atLeast(version: [number, number] | undefined, major: number, minor: number): boolean {
  return version !== undefined && (version[0] > major || (version[0] === major && version[1] >= minor));
}

function stringValue(value: Value): string | undefined {
  return value.kind === "string" ? value.value : undefined;
}

function checkOpamVersions(lx: Lexer, items: Item[]): void {
  const first = items[0];
  const firstIsVersion = first !== undefined && first.kind === "field" && first.name === "opam-version";
  const firstNew = firstIsVersion && atLeast(versionPair(stringValue(first.value) ?? ""), 2, 1);
  for (let i = 1; i < items.length; i++) {
    const item = items[i]!;
    if (item.kind !== "field" || item.name !== "opam-version") continue;
    const { line, col } = item.pos;
    if (firstNew) throw lx.error(line, col, "opam-version cannot be repeated");
    if (atLeast(versionPair(stringValue(item.value) ?? ""), 2, 1)) {
      throw lx.error(line, col, "opam-version must be the first non-comment line");
    }
  }
}

/** The `opam-version: "X"` field if the first three tokens are that and X > 2.2. */
function newerHeader(text: string, file: string): Item | undefined {
  const lx = new Lexer(text, file);
  try {
    lx.next();
    if (lx.tok !== IDENT || lx.value !== "opam-version") return undefined;
    const at = pos(lx);
    lx.next();
    if (current(lx) !== COLON) return undefined;
    lx.next();
    if (current(lx) !== STRING || !atLeast(versionPair(lx.value), 2, 3)) return undefined;
    return { kind: "field", name: "opam-version", value: { kind: "string", value: lx.value, pos: pos(lx) }, pos: at };
  } catch {
    return undefined;
  }
}
