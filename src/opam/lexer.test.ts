// Lexer unit tests: every token rule of opam-format-and-solver.md §2 (longest match, ties to the
// earlier rule), escapes, comments, positions and error messages.
import { describe, expect, it } from "vitest";
import { UserError } from "../core/errors.js";
import { tokenize } from "./lexer.js";

/** Tokens as `KIND value` strings, without the final EOF. */
function kinds(text: string): string[] {
  return tokenize(text, "t.opam").slice(0, -1).map((t) => `${t.kind} ${t.value}`);
}

function lexError(text: string): string {
  try {
    tokenize(text, "t.opam");
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe("OPAM_PARSE");
    return (error as UserError).message;
  }
  throw new Error(`expected a lexing error for ${JSON.stringify(text)}`);
}

function stringValue(text: string): string {
  const tokens = tokenize(text, "t.opam");
  expect(tokens.map((t) => t.kind)).toEqual(["STRING", "EOF"]);
  return tokens[0]!.value;
}

describe("blanks, newlines and comments", () => {
  it("skips spaces, tabs, LF and CRLF and counts lines from 1", () => {
    const tokens = tokenize(" a\t\r\n\n  b\r\nc", "t.opam");
    expect(tokens.map((t) => [t.value, t.line, t.col])).toEqual([["a", 1, 2], ["b", 3, 3], ["c", 4, 1], ["", 4, 2]]);
  });

  it("rejects a lone carriage return outside strings", () => {
    expect(lexError("a\rb")).toBe("t.opam:1:2: invalid character a carriage return (a lone '\\r' outside a string)");
  });

  it("skips # line comments, even right after a token", () => {
    expect(kinds('"x"#c\n# full line "not a string"\ny')).toEqual(["STRING x", "IDENT y"]);
  });

  it("skips nested block comments and counts their newlines", () => {
    const tokens = tokenize("a (* one (* two\n *) still *) b", "t.opam");
    expect(tokens.map((t) => [t.value, t.line])).toEqual([["a", 1], ["b", 2], ["", 2]]);
  });

  it("reports an unterminated block comment at its opening", () => {
    expect(lexError("x\n  (* (* *)\n")).toBe("t.opam:2:3: unterminated comment");
  });

  it("does not treat quotes inside comments specially", () => {
    expect(kinds('(* " *) a')).toEqual(["IDENT a"]);
  });
});

describe("strings", () => {
  it("reads plain strings and keeps raw newlines", () => {
    expect(stringValue('"a b\nc"')).toBe("a b\nc");
  });

  it("stores CRLF inside strings as LF but keeps a lone CR", () => {
    expect(stringValue('"a\r\nb\rc"')).toBe("a\nb\rc");
  });

  it("reads every escape", () => {
    expect(stringValue(String.raw`"\\ \" \' \n \r \t \b \  \065 \x41 \x6a"`)).toBe("\\ \" ' \n \r \t \b   A A j");
  });

  it("skips backslash-newline and the blanks after it", () => {
    expect(stringValue('"a\\\n   \t b"')).toBe("ab");
    expect(stringValue('"a\\\r\n  b"')).toBe("ab");
  });

  it("rejects unknown escapes at the backslash", () => {
    expect(lexError('x: "ab\\q"')).toBe("t.opam:1:7: illegal escape sequence \\q");
  });

  it("rejects decimal escapes above 255 and short numeric escapes", () => {
    expect(lexError('"\\256"')).toBe("t.opam:1:2: illegal escape sequence \\256 (above 255)");
    expect(lexError('"\\25"')).toBe("t.opam:1:2: illegal escape sequence \\25 (three decimal digits expected)");
    expect(lexError('"\\xg0"')).toBe("t.opam:1:2: illegal escape sequence \\x (two hexadecimal digits expected)");
  });

  it("reports an unterminated string at its opening quote", () => {
    expect(lexError('a: "x\n\nyz')).toBe("t.opam:1:4: unterminated string");
    expect(lexError('a: "x\\')).toBe("t.opam:1:4: unterminated string");
  });

  it("reads triple-quoted strings: lone quotes are literal, the first \"\"\" ends", () => {
    expect(stringValue('"""say "hi" and ""twice"" """')).toBe('say "hi" and ""twice"" ');
    expect(kinds('"""a""""b"')).toEqual(["STRING a", "STRING b"]);
    expect(stringValue('"""\\""""')).toBe('"');
  });

  it("reads empty strings", () => {
    expect(kinds('"" """"""')).toEqual(["STRING ", "STRING "]);
  });

  it("counts lines inside strings for later positions", () => {
    const tokens = tokenize('"""a\nb\nc""" d', "t.opam");
    expect([tokens[1]!.line, tokens[1]!.col]).toEqual([3, 6]);
  });

  it("keeps non-ASCII text", () => {
    expect(stringValue('"héllo ✓"')).toBe("héllo ✓");
  });
});

describe("identifiers, integers and booleans", () => {
  it("reads idents with dashes, underscores, digits, + components and a :var suffix", () => {
    expect(kinds("with-test ocaml:version _:doc lwt+cohttp+ssl:enable -foo a_1 12a")).toEqual([
      "IDENT with-test", "IDENT ocaml:version", "IDENT _:doc", "IDENT lwt+cohttp+ssl:enable",
      "IDENT -foo", "IDENT a_1", "IDENT 12a",
    ]);
  });

  it("consumes + and : only when a valid component follows", () => {
    expect(kinds('name:"x"')).toEqual(["IDENT name", "COLON :", "STRING x"]);
    expect(kinds("available:os")).toEqual(["IDENT available:os"]);
    expect(kinds("a:1")).toEqual(["IDENT a", "COLON :", "INT 1"]);
    expect(kinds("a+_1")).toEqual(["IDENT a+_", "INT 1"]);
    expect(kinds("a+_+b")).toEqual(["IDENT a+_+b"]);
  });

  it("rejects a lone + that is not +=", () => {
    expect(lexError("a+ b")).toBe("t.opam:1:2: invalid character '+'");
  });

  it("reads true/false only as whole words", () => {
    expect(kinds("true false trueish false-ish true:x")).toEqual([
      "BOOL true", "BOOL false", "IDENT trueish", "IDENT false-ish", "IDENT true:x",
    ]);
  });

  it("reads integers with underscores and a leading minus; INT wins ties", () => {
    const tokens = tokenize("42 1_000 -7 0", "t.opam");
    expect(tokens.slice(0, -1).map((t) => `${t.kind} ${t.value}`)).toEqual(["INT 42", "INT 1_000", "INT -7", "INT 0"]);
    expect(kinds("1-2")).toEqual(["INT 1", "INT -2"]);
  });

  it("rejects integers that do not start with a digit, and out-of-range ones", () => {
    expect(lexError("x: _")).toBe("t.opam:1:4: invalid integer '_'");
    expect(lexError("x: -_1")).toBe("t.opam:1:4: invalid integer '-_1'");
    expect(lexError("x: 99999999999999999999")).toBe("t.opam:1:4: integer '99999999999999999999' is out of range");
  });

  it("rejects a lone minus", () => {
    expect(lexError("x: - 1")).toBe("t.opam:1:4: invalid character '-'");
  });
});

describe("operators and punctuation", () => {
  it("reads relational operators, with ~ read as >=", () => {
    expect(kinds("= != < <= > >= ~")).toEqual(["RELOP =", "RELOP !=", "RELOP <", "RELOP <=", "RELOP >", "RELOP >=", "RELOP >="]);
  });

  it("reads prefix, logical and environment operators by longest match", () => {
    expect(kinds("! ? & | += =+ := =: =+= !a")).toEqual([
      "PFXOP !", "PFXOP ?", "AND &", "OR |", "ENVOP +=", "ENVOP =+", "ENVOP :=", "ENVOP =:", "ENVOP =+=", "PFXOP !", "IDENT a",
    ]);
  });

  it("rejects =:=", () => {
    expect(lexError("PATH =:= x")).toBe("t.opam:1:6: '=:=' is not a valid environment update operator");
  });

  it("reads punctuation, with := winning over :", () => {
    expect(kinds("{}[]():")).toEqual(["LBRACE {", "RBRACE }", "LBRACKET [", "RBRACKET ]", "LPAR (", "RPAR )", "COLON :"]);
    expect(kinds("a:=b")).toEqual(["IDENT a", "ENVOP :=", "IDENT b"]);
  });

  it("rejects characters that start no token", () => {
    expect(lexError("x: @")).toBe("t.opam:1:4: invalid character '@'");
    expect(lexError("x: é")).toBe("t.opam:1:4: invalid character U+00E9");
    expect(lexError("\n\u0000")).toBe("t.opam:2:1: invalid character U+0000");
  });
});
