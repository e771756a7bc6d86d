// Parser unit tests: grammar and precedence of opam-format-and-solver.md §3, positions, the
// opam-version header rules, and exact error messages for every invalid fixture.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../core/errors.js";
import { findField, type Item, type Value } from "./ast.js";
import { parseOpam, parseValue } from "./parser.js";

const FIXTURES = path.resolve(import.meta.dirname, "../../test/fixtures/opam-files");

/** A compact S-expression of a value: `(op left right)`, `(opt value options…)`, `[…]`, `(group …)`. */
function show(v: Value): string {
  switch (v.kind) {
    case "string": return JSON.stringify(v.value);
    case "ident": return v.name;
    case "int": return `${v.value}`;
    case "bool": return `${v.value}`;
    case "relop": case "logop": case "envBinding": return `(${v.op} ${show(v.left)} ${show(v.right)})`;
    case "prefixRelop": return `(pre${v.op} ${show(v.arg)})`;
    case "pfxop": return `(${v.op} ${show(v.arg)})`;
    case "list": return `[${v.items.map(show).join(" ")}]`;
    case "group": return `(group ${v.items.map(show).join(" ")})`;
    case "option": return `(opt ${[v.value, ...v.options].map(show).join(" ")})`;
  }
}

function value(text: string): string {
  return show(parseValue(text));
}

function fieldValue(text: string, name: string): Value {
  const field = findField(parseOpam(text, "t.opam").items, name);
  if (field === undefined) throw new Error(`no field ${name}`);
  return field.value;
}

function parseFailure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe("OPAM_PARSE");
    return (error as UserError).message;
  }
  throw new Error("expected a parse error");
}

describe("operator precedence", () => {
  it.each([
    ["a | b & c", "(| a (& b c))"],
    ["a & b | c", "(| (& a b) c)"],
    ["a & b & c", "(& (& a b) c)"],
    ["a | b | c", "(| (| a b) c)"],
    ["!a & b", "(& (! a) b)"],
    ["!a | b & c", "(| (! a) (& b c))"],
    ["!a {x}", "(! (opt a x))"],
    ['!os = "linux"', '(! (= os "linux"))'],
    ["!!a", "(! (! a))"],
    ["?a & a = 1", "(& (? a) (= a 1))"],
    ["a & b {x}", "(& a (opt b x))"],
    ["a {x} & b", "(& (opt a x) b)"],
    ["a {x} {y}", "(opt (opt a x) y)"],
    ["a = b {x}", "(opt (= a b) x)"],
    ['>= "1" {x}', '(opt (pre>= "1") x)'],
    ['"ocaml" {>= "4.08" < "4.15"}', '(opt "ocaml" (pre>= "4.08") (pre< "4.15"))'],
    ['"b" {= "1" & ?vendor}', '(opt "b" (& (pre= "1") (? vendor)))'],
    ['"a" {>= "1.0" & with-test | dev}', '(opt "a" (| (& (pre>= "1.0") with-test) dev))'],
    ["(a | b) & c", "(& (group (| a b)) c)"],
    ['("a" {build} | "b") "c"', ""],
    ['~ "1.2"', '(pre>= "1.2")'],
    ['PATH += "x"', '(+= PATH "x")'],
    ['!a += "x"', '(! (+= a "x"))'],
    ['A = "1" {os = "linux"}', '(opt (= A "1") (= os "linux"))'],
  ])("%s", (text, expected) => {
    if (expected === "") {
      expect(() => parseValue(text)).toThrow(UserError);
      return;
    }
    expect(value(text)).toBe(expected);
  });

  it("reads juxtaposed values inside [ ], ( ) and { } as element lists", () => {
    expect(value("[a = b = c]")).toBe("[(= a b) (pre= c)]");
    expect(value('[(a) = b]')).toBe("[(group a) (pre= b)]");
    expect(value('("a" {build} | "b" "c")')).toBe('(group (| (opt "a" build) "b") "c")');
    expect(value("[]")).toBe("[]");
    expect(value("a {}")).toBe("(opt a)");
  });

  it("reads atoms", () => {
    expect(parseValue("-1_000")).toMatchObject({ kind: "int", value: -1000, raw: "-1_000" });
    expect(parseValue("true")).toMatchObject({ kind: "bool", value: true });
    expect(parseValue("ocaml:version")).toMatchObject({ kind: "ident", name: "ocaml:version" });
    expect(parseValue('"%{prefix}%/lib"')).toMatchObject({ kind: "string", value: "%{prefix}%/lib" });
  });
});

describe("relations take atoms only", () => {
  it.each([
    ["available: a = b = c", "t.opam:1:18: unexpected '=' after the value of 'available'"],
    ["available: (a) = b", "t.opam:1:16: unexpected '=' after the value of 'available'"],
    ["available: a = !b", "t.opam:1:16: expected a string, identifier, integer or boolean after '=', found '!'"],
    ["available: a = (b)", "t.opam:1:16: expected a string, identifier, integer or boolean after '=', found '('"],
    ['available: >= [ "1" ]', "t.opam:1:15: expected a string, identifier, integer or boolean after '>=', found '['"],
  ])("%s", (text, message) => {
    expect(parseFailure(() => parseOpam(text, "t.opam"))).toContain(message);
  });
});

describe("fields and sections", () => {
  it("splits name:\"x\" into a field but reads available:os as one identifier", () => {
    expect(fieldValue('name:"x"', "name")).toMatchObject({ kind: "string", value: "x" });
    expect(parseFailure(() => parseOpam('available:os = "linux"', "t.opam"))).toBe(
      "t.opam:1:14: expected ':' or '{' after 'available:os', found '=' ('available:os' reads as one identifier: write a space after ':')",
    );
    expect(show(fieldValue('available: os = "linux"', "available"))).toBe('(= os "linux")');
  });

  it("takes exactly one value per field", () => {
    expect(parseFailure(() => parseOpam('x: "a" "b"', "t.opam"))).toBe(
      "t.opam:1:8: unexpected string \"b\" after the value of 'x' (a field holds exactly one value; use [ … ] for several)",
    );
  });

  it("reads sections with and without a label, nested sections and empty ones", () => {
    const items = parseOpam('url { src: "u" checksum: ["md5=0"] }\nextra-source "p.patch" { src: "v" }\na {}\nb { c { d: 1 } }', "t.opam").items;
    expect(items.map((i) => (i.kind === "section" ? `${i.section}/${i.label ?? "-"}/${i.items.length}` : i.name))).toEqual([
      "url/-/2", "extra-source/p.patch/1", "a/-/0", "b/-/1",
    ]);
    const nested = items[3] as Extract<Item, { kind: "section" }>;
    expect(nested.items[0]).toMatchObject({ kind: "section", section: "c", items: [{ kind: "field", name: "d" }] });
  });

  it("keeps duplicate fields in order (findField takes the last)", () => {
    const items = parseOpam("x-a: 1\nx-a: 2", "t.opam").items;
    expect(items).toHaveLength(2);
    expect(findField(items, "x-a")?.value).toMatchObject({ value: 2 });
  });

  it("parses empty files and comment-only files to no items", () => {
    expect(parseOpam("", "t.opam").items).toEqual([]);
    expect(parseOpam("# c\n(* d *)\n", "t.opam")).toEqual({ file: "t.opam", items: [] });
  });
});

describe("positions", () => {
  it("records 1-based line/column of each node's first character", () => {
    const text = 'opam-version: "2.0"\ndepends: [\n  "a" {>= "1" & !x}\n  (b | c)\n]\nurl {\n  src: "u"\n}';
    const items = parseOpam(text, "t.opam").items;
    expect(items.map((i) => i.pos)).toEqual([{ line: 1, col: 1 }, { line: 2, col: 1 }, { line: 6, col: 1 }]);
    const depends = (items[1] as Extract<Item, { kind: "field" }>).value;
    if (depends.kind !== "list") throw new Error("list expected");
    expect(depends.pos).toEqual({ line: 2, col: 10 });
    const [option, group] = depends.items as [Extract<Value, { kind: "option" }>, Extract<Value, { kind: "group" }>];
    expect(option.pos).toEqual({ line: 3, col: 3 });
    const and = option.options[0] as Extract<Value, { kind: "logop" }>;
    expect([and.pos, and.left.pos, and.right.pos]).toEqual([{ line: 3, col: 8 }, { line: 3, col: 8 }, { line: 3, col: 17 }]);
    expect(group.pos).toEqual({ line: 4, col: 3 });
    const url = items[2] as Extract<Item, { kind: "section" }>;
    expect(url.items[0]!.pos).toEqual({ line: 7, col: 3 });
  });
});

describe("opam-version header rules", () => {
  it("accepts opam-version 2.0 after other fields, and repeated 2.0", () => {
    expect(parseOpam('name: "x"\nopam-version: "2.0"', "t.opam").items).toHaveLength(2);
    expect(parseOpam('opam-version: "2.0"\nopam-version: "2.0"', "t.opam").items).toHaveLength(2);
  });

  it("rejects a repeated opam-version when the first is >= 2.1", () => {
    expect(parseFailure(() => parseOpam('opam-version: "2.1"\nopam-version: "2.1"', "t.opam"))).toBe("t.opam:2:1: opam-version cannot be repeated");
  });

  it("rejects opam-version >= 2.1 that is not the first item", () => {
    expect(parseFailure(() => parseOpam('version: "42"\nopam-version: "2.1"', "t.opam"))).toBe(
      "t.opam:2:1: opam-version must be the first non-comment line",
    );
  });

  it("returns only the header of an unparsable file from a newer opam (> 2.2)", () => {
    for (const text of ['opam-version: "42.0"\n!!', 'opam-version: "4"\n!!', 'opam-version: "42.0" <\n', 'opam-version: "2.3"\n@']) {
      const file = parseOpam(text, "t.opam");
      expect(file.items).toEqual([{ kind: "field", name: "opam-version", value: expect.objectContaining({ value: text.slice(15, text.indexOf('"', 15)) }), pos: { line: 1, col: 1 } }]);
    }
  });

  it("still reports errors for files from 2.1/2.2 and files without the header first", () => {
    expect(() => parseOpam('opam-version: "2.2"\n!!', "t.opam")).toThrow("t.opam:2:1: unexpected '!' after the value of 'opam-version'");
    expect(() => parseOpam('# c\nname: "x"\nopam-version: "42.0"\n!!', "t.opam")).toThrow(UserError);
  });

  it("parses newer files completely when they are valid", () => {
    expect(parseOpam('opam-version: "3.0"\nx-new: [a]', "t.opam").items).toHaveLength(2);
  });
});

describe("parseValue", () => {
  it("rejects trailing input and missing values", () => {
    expect(parseFailure(() => parseValue('"a" "b"', "cli"))).toBe('cli:1:5: unexpected string "b" after the value');
    expect(parseFailure(() => parseValue("", "cli"))).toBe("cli:1:1: expected a value, found end of file");
    expect(parseFailure(() => parseValue("x: 1"))).toBe("<value>:1:2: unexpected ':' after the value");
  });
});

describe("robustness", () => {
  it("limits nesting depth (brackets, braces, prefix operators, & and | chains) instead of overflowing the stack", () => {
    const tooDeep = /^<value>:1:\d+: values nested more than 256 levels deep$/;
    expect(parseFailure(() => parseValue("[".repeat(100_000)))).toMatch(tooDeep);
    expect(parseFailure(() => parseValue("!".repeat(100_000) + "a"))).toMatch(tooDeep);
    expect(parseFailure(() => parseValue(Array.from({ length: 10_000 }, (_, i) => `a${i}`).join(" & ")))).toMatch(tooDeep);
    expect(parseFailure(() => parseValue(Array.from({ length: 10_000 }, (_, i) => `a${i}`).join(" | ")))).toMatch(tooDeep);
    expect(parseFailure(() => parseValue("a" + " {x}".repeat(10_000)))).toMatch(tooDeep);
    expect(parseFailure(() => parseOpam("a { ".repeat(10_000), "t.opam"))).toMatch(/^t\.opam:1:\d+: sections nested more than 256 levels deep$/);
    expect(parseValue("[".repeat(200) + "]".repeat(200)).kind).toBe("list");
    expect(parseValue(Array.from({ length: 200 }, (_, i) => `a${i}`).join(" & ")).kind).toBe("logop");
  });

  it("parses long flat inputs", () => {
    const items = Array.from({ length: 20_000 }, (_, i) => `"p${i}" {>= "1"}`).join(" ");
    const value = parseOpam(`depends: [${items}]`, "t.opam").items[0];
    expect(value).toMatchObject({ kind: "field", value: { kind: "list" } });
    expect((value as { value: { items: unknown[] } }).value.items).toHaveLength(20_000);
  });

  it("reports binary garbage as a parse error", () => {
    const garbage = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => (i * 97) % 256));
    expect(parseFailure(() => parseOpam(garbage, "bin.opam"))).toMatch(/^bin\.opam:\d+:\d+: /);
  });
});

describe("fixtures", () => {
  const invalid = readdirSync(path.join(FIXTURES, "invalid")).filter((f) => f.endsWith(".opam")).sort();
  const valid = readdirSync(path.join(FIXTURES, "valid")).filter((f) => f.endsWith(".opam")).sort();

  it("has fixtures", () => {
    expect(invalid.length).toBeGreaterThanOrEqual(25);
    expect(valid.length).toBeGreaterThanOrEqual(15);
  });

  it.each(invalid)("invalid/%s fails with the message on its first line", (name) => {
    const text = readFileSync(path.join(FIXTURES, "invalid", name), "utf8");
    const expected = /^# expect: (.*)\n/.exec(text)?.[1];
    expect(expected).toBeDefined();
    expect(parseFailure(() => parseOpam(text, `invalid/${name}`))).toBe(`invalid/${name}:${expected}`);
  });

  it.each(valid)("valid/%s parses", (name) => {
    const text = readFileSync(path.join(FIXTURES, "valid", name), "utf8");
    const file = parseOpam(text, `valid/${name}`);
    expect(file.file).toBe(`valid/${name}`);
    if (text.trim() !== "" && !text.startsWith("#")) expect(file.items.length).toBeGreaterThan(0);
  });

  const read = (name: string) => parseOpam(readFileSync(path.join(FIXTURES, "valid", name), "utf8"), name).items;

  it("reads escapes and continuations as documented", () => {
    const items = read("escapes.opam");
    expect(findField(items, "x-escapes")?.value).toMatchObject({ value: "backslash \\ quote \" apostrophe ' newline \n return \r tab \t backspace \b space  " });
    expect(findField(items, "x-numeric")?.value).toMatchObject({ value: "ABC ABC j" });
    expect(findField(items, "x-continuation")?.value).toMatchObject({ value: "one two" });
  });

  it("stores CRLF in strings as LF", () => {
    expect(findField(read("crlf.opam"), "description")?.value).toMatchObject({ value: "\nline one\nline two\n" });
  });

  it("reads triple-quoted strings with lone and doubled quotes", () => {
    const items = read("triple-quoted.opam");
    expect(findField(items, "description")?.value).toMatchObject({
      value: '\nA description with "quotes", ""doubled"" quotes,\na trailing quote" and an escaped """ triple.\n',
    });
    expect(show(findField(items, "post-messages")!.value)).toBe('["Continued line: the blanks after the backslash-newline are skipped."]');
  });

  it("ignores comments", () => {
    expect(read("comments.opam").map((i) => (i.kind === "field" ? i.name : i.section))).toEqual(["opam-version", "synopsis", "depends"]);
  });

  it("returns just opam-version for an unparsable file from a newer opam", () => {
    expect(read("newer-opam-version.opam")).toEqual([
      { kind: "field", name: "opam-version", value: { kind: "string", value: "42.0", pos: { line: 1, col: 15 } }, pos: { line: 1, col: 1 } },
    ]);
  });

  it("reads operators and identifiers", () => {
    const depends = findField(read("operators.opam"), "depends")!.value;
    expect(show(depends)).toBe(
      '[(opt "ocaml" (pre>= "4.08") (pre< "4.15")) (opt "a" (pre= version)) (opt "b" (& (pre!= "1.0") (group (| (pre< "2.0") (pre> "3.0"))))) ' +
        '(opt "c" (pre>= "1.2")) (& (group (| "d" (opt "e" build))) "f") (opt "g" (& (& (! with-test) (? sys-ocaml-arch)) (= sys-ocaml-arch "x86_64")))]',
    );
    expect(show(findField(read("idents.opam"), "build")!.value)).toContain("(opt [make \"PREFIX=%{prefix}%\"] (& ocaml:native lwt+cohttp+ssl:enable))");
  });
});
