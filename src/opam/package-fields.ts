// Reading one opam field or section into plain data: list-depth coercions of values
// (opamFile.ml's list_depth), flags, depexts, pin-depends and `url`/`extra-source` sections.
// Bad shapes throw OPAM_FIELD errors naming the file, line and field.
import type { Item, Pos, Value } from "./ast.js";
import { parseChecksum, type Checksum } from "./checksum.js";
import { describeValue, fieldError, filterFromValues, type FieldContext, type Filter } from "./filter.js";
import { isValidPackageName } from "./names.js";
import { parseUrl, type OpamUrl, type UrlBackend } from "./url.js";
import { isValidVersion } from "./version.js";

/** A `url { … }` section. */
export interface UrlSection {
  src: OpamUrl;
  checksums: Checksum[];
  mirrors: OpamUrl[];
  subpath: string | undefined;
  pos: Pos;
}

/** An `extra-source "NAME" { … }` section: a file saved at NAME before patching. */
export interface ExtraSource extends UrlSection {
  name: string;
}

export interface Depext {
  /** System package names installed together. */
  packages: string[];
  /** Undefined = always. */
  filter: Filter | undefined;
}

export interface PinDepend {
  /** `name.version` as written. */
  id: string;
  name: string;
  version: string;
  url: OpamUrl;
  pos: Pos;
}

// ---- Value shapes --------------------------------------------------------------------------------

export function expectString(value: Value, ctx: FieldContext, what = "a string"): string {
  if (value.kind !== "string") throw fieldError(ctx, value.pos, `expected ${what}, found ${describeValue(value)}`);
  return value.value;
}

/** opam's list_depth: how many list levels lead to the first leaf (options are transparent). */
function listDepth(value: Value): number {
  if (value.kind === "option") return listDepth(value.value);
  if (value.kind !== "list") return 0;
  return value.items.length === 0 ? 1 : 1 + listDepth(value.items[0]!);
}

/** The elements of a depth-1 list field (a bare element is a one-element list). */
export function items1(value: Value): readonly Value[] {
  return value.kind === "list" ? value.items : [value];
}

/** The elements of a list field of `depth` levels, missing levels added (`["make"]` = `[["make"]]`). */
function itemsAtDepth(value: Value, depth: number, ctx: FieldContext): readonly Value[] {
  let wrapped = value;
  for (let missing = depth - listDepth(value); missing > 0; missing--) wrapped = { kind: "list", items: [wrapped], pos: value.pos };
  if (wrapped.kind !== "list") throw fieldError(ctx, value.pos, `expected a list, found ${describeValue(value)}`);
  return wrapped.items;
}

function items2(value: Value, ctx: FieldContext): readonly Value[] {
  return itemsAtDepth(value, 2, ctx);
}

export function stringList(value: Value, ctx: FieldContext, what?: string): string[] {
  return items1(value).map((item) => expectString(item, ctx, what));
}

// ---- Fields --------------------------------------------------------------------------------------

export function parseFlags(value: Value, ctx: FieldContext): string[] {
  return items1(value).map((item) => {
    if (item.kind !== "ident") throw fieldError(ctx, item.pos, `expected a flag identifier, found ${describeValue(item)}`);
    return item.name;
  });
}

/** `[["pkg" …] {filter} …]`; opam 1.2's `[[["tag" …] ["pkg" …]] …]` as a fallback. */
export function parseDepexts(value: Value, ctx: FieldContext): Depext[] {
  try {
    return items2(value, ctx).map((item) => {
      const [list, options] = item.kind === "option" ? [item.value, item.options] : [item, []];
      if (list.kind !== "list") throw fieldError(ctx, list.pos, `expected [ "system-package" … ] {filter}, found ${describeValue(list)}`);
      const packages = list.items.map((p) => expectString(p, ctx, "a system package name string"));
      return { packages, filter: options.length === 0 ? undefined : filterFromValues(options, ctx, item.pos) };
    });
  } catch (error) {
    const legacy = legacyDepexts(value, ctx);
    if (legacy === undefined) throw error;
    return legacy;
  }
}

/** Tags become a conjunction of string filters, which never evaluate to true (as in opam 2). */
function legacyDepexts(value: Value, ctx: FieldContext): Depext[] | undefined {
  try {
    return itemsAtDepth(value, 3, ctx).map((pair) => {
      if (pair.kind !== "list" || pair.items.length !== 2) throw fieldError(ctx, pair.pos, "expected a pair");
      const [tags, packages] = pair.items.map((v) => {
        if (v.kind !== "list") throw fieldError(ctx, v.pos, "expected a list");
        return v.items.map((s) => expectString(s, ctx));
      }) as [string[], string[]];
      let filter: Filter | undefined;
      for (let i = tags.length - 1; i >= 0; i--) {
        const tag: Filter = { kind: "string", value: tags[i]! };
        filter = filter === undefined ? tag : { kind: "and", left: tag, right: filter };
      }
      return { packages, filter };
    });
  } catch {
    return undefined;
  }
}

export function parsePinDepends(value: Value, ctx: FieldContext): PinDepend[] {
  return items2(value, ctx).map((item) => {
    if (item.kind !== "list" || item.items.length !== 2) throw fieldError(ctx, item.pos, `expected [ "name.version" "url" ], found ${describeValue(item)}`);
    const [idValue, urlValue] = item.items as [Value, Value];
    const id = expectString(idValue, ctx, `a "name.version" string`);
    const dot = id.indexOf(".");
    const [name, version] = dot < 0 ? [id, ""] : [id.slice(0, dot), id.slice(dot + 1)];
    if (!isValidPackageName(name) || !isValidVersion(version)) throw fieldError(ctx, idValue.pos, `invalid package "${id}" (expected name.version)`);
    const url = parseUrl(expectString(urlValue, ctx, "a URL string"), { where: where(ctx, urlValue.pos) });
    return { id, name, version, url, pos: item.pos };
  });
}

function where(ctx: FieldContext, pos: Pos): string {
  return `${ctx.file}:${pos.line}:${pos.col}: ${ctx.field}`;
}

const URL_FIELDS: Readonly<Record<string, UrlBackend | undefined>> = {
  src: undefined,
  archive: "http",
  http: "http",
  git: "git",
  darcs: "darcs",
  hg: "hg",
  local: "local",
};

export function urlOf(value: Value, ctx: FieldContext, backend: UrlBackend | undefined): OpamUrl {
  return parseUrl(expectString(value, ctx, "a URL string"), { where: where(ctx, value.pos), ...(backend ? { backend } : {}) });
}

/** The contents of `url { … }` / `extra-source "x" { … }` (opamFile.ml URLSyntax). */
export function parseUrlSection(items: readonly Item[], file: string, section: string, pos: Pos): UrlSection {
  let src: OpamUrl | undefined;
  let checksums: Checksum[] = [];
  let mirrors: OpamUrl[] = [];
  let subpath: string | undefined;
  for (const item of items) {
    if (item.kind !== "field") continue;
    const ctx = { file, field: `${section}.${item.name}` };
    if (item.name in URL_FIELDS) {
      if (src !== undefined) throw fieldError(ctx, item.pos, "too many URLs (one of src/archive/http/git/hg/darcs/local)");
      src = urlOf(item.value, ctx, URL_FIELDS[item.name]);
    } else if (item.name === "checksum") {
      checksums = items1(item.value).map((v) => parseChecksum(expectString(v, ctx, "a checksum string")) ?? badChecksum(ctx, v));
    } else if (item.name === "mirrors") {
      mirrors = items1(item.value).map((v) => urlOf(v, ctx, undefined));
    } else if (item.name === "subpath") {
      subpath = expectString(item.value, ctx);
    }
  }
  if (src === undefined) throw fieldError({ file, field: section }, pos, "missing src");
  return { src, checksums, mirrors, subpath, pos };
}

function badChecksum(ctx: FieldContext, value: Value): never {
  throw fieldError(ctx, value.pos, `invalid checksum "${(value as { value: string }).value}" (expected md5=, sha256= or sha512= and the right number of hex digits)`);
}

export function commandCount(value: Value, ctx: FieldContext): number {
  return items2(value, ctx).length;
}
