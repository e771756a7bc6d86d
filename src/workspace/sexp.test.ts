// Unit tests of the S-expression printer: quoting, dune's layout rules, documents.
import { describe, expect, it } from "vitest";
import { InternalError } from "../core/errors.js";
import { atom, comment, field, formatAtom, list, printDocument, printSexp } from "./sexp.js";

describe("formatAtom", () => {
  it("leaves plain atoms bare, including dune's usual punctuation", () => {
    for (const value of [":standard", "-cclib", "unikraft-backend=qemu", "a.b", "x+y", "_", "@1..3"]) {
      expect(formatAtom(value)).toBe(value);
    }
  });
  it("quotes what dune would not read back as the same atom", () => {
    expect(formatAtom("")).toBe('""');
    expect(formatAtom("-z unikraft-backend=qemu")).toBe('"-z unikraft-backend=qemu"');
    expect(formatAtom("a(b")).toBe('"a(b"');
    expect(formatAtom("a;b")).toBe('"a;b"');
    expect(formatAtom('say "hi"')).toBe('"say \\"hi\\""');
    expect(formatAtom("back\\slash")).toBe('"back\\\\slash"');
    expect(formatAtom("tab\there")).toBe('"tab\\there"');
    expect(formatAtom("line\nbreak")).toBe('"line\\nbreak"');
  });
  it("escapes templates and non-ASCII bytes as dune's printer does", () => {
    expect(formatAtom("%{lib}")).toBe('"\\%{lib}"');
    expect(formatAtom("é")).toBe('"\\195\\169"');
    expect(formatAtom("#|x")).toBe('"#|x"');
  });
});

describe("printSexp layout", () => {
  it("keeps lists of atoms (and of singleton lists) on one line", () => {
    expect(printSexp(list(atom("context"), list(atom("default"))))).toBe("(context (default))");
    expect(printSexp(field("flags", ":standard", "-cclib", "-z x"))).toBe('(flags :standard -cclib "-z x")');
    expect(printSexp(list(atom("a"), list(), list(atom("b")), list(list(atom("c"), atom("d")))))).toBe("(a () (b) ((c d)))");
  });
  it("puts every element of a list holding a longer list on its own line, indented one column", () => {
    const sexp = list(atom("a"), list(atom("b"), list(atom("c"), atom("d"))), atom("e"));
    expect(printSexp(sexp)).toBe("(a\n (b\n  (c d))\n e)");
  });
  it("breaks a one-line list that would end past column 77, one element per line", () => {
    const fits = field("b", "c", "x".repeat(71));
    expect(printSexp(fits)).toBe(`(b c ${"x".repeat(71)})`);
    expect(printSexp(field("b", "c", "x".repeat(72)))).toBe(`(b\n c\n ${"x".repeat(72)})`);
    const nested = list(atom("a"), field("b", "c", "x".repeat(70)));
    expect(printSexp(nested)).toBe(`(a\n (b c ${"x".repeat(70)}))`);
    expect(printSexp(list(atom("a"), field("b", "c", "x".repeat(71))))).toBe(`(a\n (b\n  c\n  ${"x".repeat(71)}))`);
  });
});

describe("printDocument", () => {
  it("separates top-level entries by a blank line and ends with a newline", () => {
    const text = printDocument([field("lang", "dune", "2.9"), list(atom("context"), list(atom("default"))), comment("hi")]);
    expect(text).toBe("(lang dune 2.9)\n\n(context (default))\n\n;; hi\n");
  });
  it("refuses a comment that spans lines", () => {
    expect(() => comment("a\nb")).toThrow(InternalError);
  });
});
