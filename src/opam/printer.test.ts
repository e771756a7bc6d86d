// Printer tests: opam's canonical layout (OpamPrinter + Format boxes, margin 78), byte for byte
// against the lock files of opam-monorepo-behaviour.md §2.3/§2.4, and string escaping.
import { describe, expect, it } from "vitest";
import { equalModuloPositions, field, list, str, type Item, type Value } from "./ast.js";
import { parseOpam, parseValue } from "./parser.js";
import { printOpam, printValue, quoteString } from "./printer.js";
import { SIMPLE_LOCK } from "../../test/helpers/golden.js";


const P = { line: 0, col: 0 };
const ident = (name: string): Value => ({ kind: "ident", name, pos: P });
const option = (value: Value, options: Value[]): Value => ({ kind: "option", value, options, pos: P });
const prefix = (op: "=" | ">=", arg: Value): Value => ({ kind: "prefixRelop", op, arg, pos: P });
const and = (left: Value, right: Value): Value => ({ kind: "logop", op: "&", left, right, pos: P });
const defined = (arg: Value): Value => ({ kind: "pfxop", op: "?", arg, pos: P });

/** A depends entry as the lock file encoder builds it. */
function lockDep(name: string, version: string, vendored: boolean): Value {
  const eq = prefix("=", str(version));
  return option(str(name), [vendored ? and(eq, defined(ident("vendor"))) : eq]);
}

function print(text: string): string {
  return printOpam(parseOpam(text, "t.opam").items);
}

describe("lock file layout (behaviour reference §2.3)", () => {
  it("reprints simple-lock.opam.locked byte for byte", () => {
    expect(print(SIMPLE_LOCK)).toBe(SIMPLE_LOCK);
  });

  it("prints the same text from an AST built like the lock file encoder does", () => {
    const deps: [string, string, boolean][] = [
      ["b", "1", true], ["base-bigarray", "base", false], ["base-threads", "base", false], ["base-unix", "base", false],
      ["c", "1", true], ["dune", "2.9.1", false], ["ocaml", "4.13.1", false], ["ocaml-base-compiler", "4.13.1", false],
      ["ocaml-config", "2", false], ["ocaml-options-vanilla", "1", false],
    ];
    const dir = (url: string, name: string, hash: string) => list([str(url), str(name), list([str(hash)])]);
    const items: Item[] = [
      field("opam-version", str("2.0")),
      field("synopsis", str("opam-monorepo generated lockfile")),
      field("maintainer", str("opam-monorepo")),
      field("depends", list(deps.map(([n, v, vendored]) => lockDep(n, v, vendored)))),
      field("pin-depends", list([list([str("b.1"), str("https://b.com/b.tbz")]), list([str("c.1"), str("https://c.com/c.tbz")])])),
      field("x-opam-monorepo-duniverse-dirs", list([
        dir("https://b.com/b.tbz", "b", `sha256=${"0".repeat(64)}`),
        dir("https://c.com/c.tbz", "c", `sha256=${"0".repeat(63)}1`),
      ])),
      field("x-opam-monorepo-opam-repositories", list([str("file://$OPAM_MONOREPO_CWD/minimal-repo"), str("file://$OPAM_MONOREPO_CWD/repo")])),
      field("x-opam-monorepo-root-packages", list([str("simple-lock")])),
      field("x-opam-monorepo-version", str("0.3")),
    ];
    expect(printOpam(items)).toBe(SIMPLE_LOCK);
  });
});

describe("lock file layout (behaviour reference §2.4 excerpt, hashes at full length)", () => {
  const md5 = `md5=${"3a99d6d8".padEnd(32, "0")}`;
  const sha256 = `sha256=${"b1a86b2d".padEnd(64, "0")}`;
  const sha512 = (start: string) => `sha512=${start.padEnd(128, "0")}`;

  it("breaks a pin-depends pair that does not fit and keeps one that does", () => {
    const text = `pin-depends: [
  [
    "0install-solver.2.18"
    "https://github.com/0install/0install/releases/download/v2.18/0install-2.18.tbz"
  ]
  ["seq.base+dune" "https://github.com/c-cube/seq/archive/0.2.2.tar.gz"]
]
`;
    expect(print(text.replace(/\s+/g, " "))).toBe(text);
  });

  it("prints duniverse dirs with several hashes one per line", () => {
    const text = `x-opam-monorepo-duniverse-dirs: [
  [
    "https://github.com/ocaml/dune/releases/download/3.20.2/dune-3.20.2.tbz"
    "dune_"
    [
      "${sha256}"
      "${sha512("ed14df91")}"
    ]
  ]
  [
    "https://github.com/ocaml/opam/archive/refs/tags/2.3.0.tar.gz"
    "opam"
    [
      "${md5}"
      "${sha512("596d7b28")}"
    ]
  ]
]
`;
    expect(print(text.replace(/\s+/g, " "))).toBe(text);
  });

  it("prints depexts with filters and short argument lists", () => {
    const text = `depexts: [
  ["devel/pkgconf"] {os = "openbsd"}
  ["pkg-config"] {os-family = "debian"}
  ["pkgconf-pkg-config"] {os-distribution = "centos" & os-version >= "8"}
]
x-opam-monorepo-cli-args: ["--minimal-update" "--ocaml-version" "5.3.0"]
x-opam-monorepo-root-packages: ["opam-monorepo"]
`;
    expect(print(text.replace(/\s+/g, " "))).toBe(text);
  });
});

describe("field and value layout", () => {
  it("keeps a list on one line when it fits: at most 77 columns with Format's margin of 78", () => {
    expect(print('x: [ "a"\n "b" ]')).toBe('x: ["a" "b"]\n');
    const fits = `x: ["${"a".repeat(70)}"]`;
    expect(fits.length).toBe(77);
    expect(print(fits)).toBe(`${fits}\n`);
    expect(print(`x: ["${"a".repeat(71)}"]`)).toBe(`x: [\n  "${"a".repeat(71)}"\n]\n`);
  });

  it("always prints a field's list vertically when an element is a list or has options", () => {
    expect(print('depends: ["a" {>= "1"}]')).toBe('depends: [\n  "a" {>= "1"}\n]\n');
    expect(print('build: [["make"]]')).toBe('build: [\n  ["make"]\n]\n');
    expect(print('depends: ["a" {}]')).toBe('depends: ["a" {}]\n');
  });

  it("breaks nested lists from the outside in", () => {
    expect(print(`x: [[["${"a".repeat(60)}"]]]`)).toBe(`x: [\n  [["${"a".repeat(60)}"]]\n]\n`);
    expect(print('build: [["dune" "build" "-p" name "-j" jobs "--promote-install-files=false" "@install" "@runtest" {with-test}]]')).toBe(
      'build: [\n  [\n    "dune"\n    "build"\n    "-p"\n    name\n    "-j"\n    jobs\n    "--promote-install-files=false"\n    "@install"\n    "@runtest" {with-test}\n  ]\n]\n',
    );
  });

  it("moves a long value to the next line, indented by 2", () => {
    expect(print(`x: "${"a".repeat(80)}"`)).toBe(`x:\n  "${"a".repeat(80)}"\n`);
  });

  it("breaks long formulas inside their option braces", () => {
    expect(print('depends: [ "ocaml" {>= "4.08.0" & < "5.0.0" & with-test & os != "win32" & arch != "arm32" & arch != "x86_32"} ]')).toBe(
      'depends: [\n  "ocaml"\n    {>= "4.08.0" & < "5.0.0" & with-test & os != "win32" & arch != "arm32" &\n     arch != "x86_32"}\n]\n',
    );
  });

  it("prints operators, groups, options and env bindings", () => {
    for (const text of [
      '"b" {= "1" & ?vendor}', "(a | b)", '>= "1.0"', '!(os = "win32") & !x', '"a" {>= "1" < "2"}', 'PATH += "%{lib}%/stublibs"',
      "[a = b (pre) = c]", "a {x} {y}", "[]", "a {}", "-1_000", "[true false 12]", '~ "1"',
    ]) {
      const expected = text === '~ "1"' ? '>= "1"' : text;
      expect(printValue(parseValue(text))).toBe(expected);
    }
  });

  it("prints sections, with the label escaped, and empty sections as opam does", () => {
    expect(print('url { src: "u" checksum: ["md5=0"] } extra-source "a\\"b" { src: "v" } x {}')).toBe(
      'url {\n  src: "u"\n  checksum: ["md5=0"]\n}\nextra-source "a\\"b" {\n  src: "v"\n}\nx {\n  \n}\n',
    );
  });

  it("round-trips section labels with quotes, backslashes, newlines and CRLF", () => {
    const label = 'a "b" \\ c\r\nd\n';
    const items: Item[] = [{ kind: "section", section: "extra-source", label, items: [field("src", str("u"))], pos: P }];
    const printed = printOpam(items);
    expect(printed.startsWith('extra-source "a \\"b\\" \\\\ c\\r\nd\n" {')).toBe(true);
    expect(parseOpam(printed, "t.opam").items[0]).toMatchObject({ kind: "section", label });
  });

  it("prints an empty file as a single newline and keeps empty-list fields", () => {
    expect(printOpam([])).toBe("\n");
    expect(print("depends: []\nx: [[]]")).toBe("depends: []\nx: [\n  []\n]\n");
  });

  it("does not fuse `!` with a following `=` into `!=`", () => {
    const value = parseValue('! = "1"');
    expect(value.kind).toBe("pfxop");
    expect(printValue(value)).toBe('! = "1"');
  });
});

describe("deep values", () => {
  it.each([
    ["nested lists", "[".repeat(256) + "]".repeat(256)],
    ["& chain", Array.from({ length: 250 }, (_, i) => `a${i}`).join(" & ")],
    ["prefix operators", "!?".repeat(120) + "a"],
    ["option chain", "a" + " {x}".repeat(250)],
    ["mixed", "[(".repeat(60) + "!a & b {c | d}" + ")]".repeat(60)],
  ])("prints the deepest values the parser accepts (%s) and reads them back", (_name, text) => {
    const value = parseValue(text);
    const printed = printOpam([field("x", value)]);
    expect(equalModuloPositions(parseOpam(printed, "t.opam").items, [field("x", value)])).toBe(true);
  });
});

describe("strings", () => {
  it("escapes quotes, backslashes and carriage returns in one-line strings", () => {
    expect(quoteString('say "hi" \\ now\r')).toBe('"say \\"hi\\" \\\\ now\\r"');
    expect(quoteString("é %{name}% \t")).toBe('"é %{name}% \t"');
  });

  it("prints strings with newlines as triple-quoted, like opam", () => {
    expect(print('description: "line one\\nline two"')).toBe('description: """\\\nline one\nline two"""\n');
    expect(print('description: "\\nstarts with a newline\\n"')).toBe('description: """\nstarts with a newline\n"""\n');
    expect(print('x: ["multi\\nline" "b"]')).toBe('x: ["""\\\nmulti\nline""" "b"]\n');
  });

  it("escapes in triple-quoted strings only the quotes that would end them", () => {
    expect(quoteString('a\n"b" """c""" end"')).toBe('"""\\\na\n"b" \\"""c\\""" end\\""""');
    expect(quoteString('\n""')).toBe('"""\n"\\""""');
  });

  it("protects a leading blank from the backslash-newline continuation", () => {
    expect(quoteString(" a\nb")).toBe('"""\\\n\\ a\nb"""');
    expect(quoteString("\ta\nb")).toBe('"""\\\n\\ta\nb"""');
  });

  it.each([
    "", "plain", 'q"uote', "back\\slash", "\r\n", "a\r\nb", "\n", "\n\n", '"', '""', '"""', '""""', 'a"\n', '\n"""\n',
    " \n", "\t\n", "\\\n", "%{prefix}%\n/lib", "ünïcödé\n✓", "\u0000\u0001\b", "x\\\n  y",
  ])("round-trips %j", (s) => {
    const printed = printValue(str(s));
    const back = parseValue(printed);
    expect(back).toMatchObject({ kind: "string", value: s });
    expect(printOpam([field("x", str(s))])).toBe(`x: ${printed}\n`);
  });
});
