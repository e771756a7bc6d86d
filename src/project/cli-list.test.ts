// Unit tests of the reference's CLI list syntax ('[a,b,[c,d]]') and its typed decoders.
import { describe, expect, it } from "vitest";
import {
  parseCliBool,
  parseCliGlobalVars,
  parseCliOpamProvided,
  parseCliPair,
  parseCliRepositories,
  parseCliStringList,
  printCliList,
  splitCliList,
} from "./cli-list.js";

const NOT_A_LIST = "a list is expected. Lists must be of the form '[x,y,z]' (i.e. delimited by '[' and ']')";

describe("splitCliList", () => {
  it("splits on top-level commas, keeping nested lists as text", () => {
    expect(splitCliList("[a,b,c]")).toEqual(["a", "b", "c"]);
    expect(splitCliList("[[true],[true,false],[false]]")).toEqual(["[true]", "[true,false]", "[false]"]);
    expect(splitCliList("[[arch,x86_64],[os,linux]]")).toEqual(["[arch,x86_64]", "[os,linux]"]);
  });
  it("neither trims nor unquotes", () => {
    expect(splitCliList("[a, b]")).toEqual(["a", " b"]);
    expect(splitCliList('["a"]')).toEqual(['"a"']);
  });
  it("parses the empty string and [] as the empty list", () => {
    expect(splitCliList("")).toEqual([]);
    expect(splitCliList("[]")).toEqual([]);
  });
  it("keeps empty elements between commas", () => {
    expect(splitCliList("[a,,b]")).toEqual(["a", "", "b"]);
  });
  it("reports missing delimiters with the reference's messages", () => {
    expect(() => splitCliList("true,false,true")).toThrow(NOT_A_LIST);
    expect(() => splitCliList("a]")).toThrow(NOT_A_LIST);
    expect(() => splitCliList("[abc,def")).toThrow("unmatched list delimiter '['");
    expect(() => splitCliList("[")).toThrow("unmatched list delimiter '['");
    expect(() => splitCliList("[[abc,def],[uvw,xyz,[rst]]")).toThrow("unmatched list delimiter '['");
    expect(() => splitCliList("[abc,def]]")).toThrow("unmatched list delimiter ']'");
  });
  it("throws BAD_ARGUMENT user errors", () => {
    expect(() => splitCliList("x")).toThrow(expect.objectContaining({ code: "BAD_ARGUMENT" }));
  });
});

describe("typed CLI values", () => {
  it("bool is exactly true or false", () => {
    expect(parseCliBool("true")).toBe(true);
    expect(parseCliBool("false")).toBe(false);
    expect(() => parseCliBool("True")).toThrow("Expected a boolean but got: True");
  });
  it("a pair has two elements", () => {
    expect(parseCliPair("[true,abc]")).toEqual(["true", "abc"]);
    expect(() => parseCliPair("[a,b,c]")).toThrow("Expected a pair but got: [a,b,c]");
    expect(() => parseCliPair("a")).toThrow(NOT_A_LIST);
  });
  it("lists of strings", () => {
    expect(parseCliStringList("[https://a.com,https://b.com]")).toEqual(["https://a.com", "https://b.com"]);
  });
  it("global vars: bool, then list of strings, then string", () => {
    const vars = parseCliGlobalVars("[[var1,true],[var2,a],[var3,[a,b]],[var4,false]]");
    expect([...vars]).toEqual([
      ["var1", true],
      ["var2", "a"],
      ["var3", ["a", "b"]],
      ["var4", false],
    ]);
    expect([...parseCliGlobalVars("[[arch,x86_64],[os-family,debian]]")]).toEqual([
      ["arch", "x86_64"],
      ["os-family", "debian"],
    ]);
    expect([...parseCliGlobalVars("")]).toEqual([]);
  });
  it("global vars: a name may appear once", () => {
    expect(() => parseCliGlobalVars("[[a,true],[a,true]]")).toThrow("Opam global variable a is defined more than once");
  });
  it("global vars: each element is a pair", () => {
    expect(() => parseCliGlobalVars("[[arch]]")).toThrow("Expected a pair but got: [arch]");
    expect(() => parseCliGlobalVars("[arch]")).toThrow(NOT_A_LIST);
  });
  it("opam-provided: a list or a single name", () => {
    expect(parseCliOpamProvided("[ocamlformat,patdiff]")).toEqual(["ocamlformat", "patdiff"]);
    expect(parseCliOpamProvided("b")).toEqual(["b"]);
    expect(parseCliOpamProvided("")).toEqual([]);
    expect(() => parseCliOpamProvided("[a,b c]")).toThrow(/Expected a list or a package name but got: \[a,b c\]/);
  });
  it("repositories and opam-provided: also `a,b`, a single value and `[a, b]`", () => {
    expect(parseCliRepositories("https://a.com,https://b.com")).toEqual(["https://a.com", "https://b.com"]);
    expect(parseCliRepositories("https://a.com")).toEqual(["https://a.com"]);
    expect(parseCliRepositories("[https://a.com, https://b.com]")).toEqual(["https://a.com", "https://b.com"]);
    expect(parseCliOpamProvided("[a, b]")).toEqual(["a", "b"]);
    expect(parseCliOpamProvided("a,b")).toEqual(["a", "b"]);
    expect(() => parseCliRepositories("[https://a.com")).toThrow("unmatched list delimiter '['");
    expect(() => parseCliRepositories("https://a.com,,https://b.com")).toThrow(/Invalid repository URL ""/);
  });
  it("repositories: a list of URLs, an obviously broken one is a user error", () => {
    expect(parseCliRepositories("[https://a.com]")).toEqual(["https://a.com"]);
    expect(parseCliRepositories("[https://a.com,https://b.com,https://a.com]")).toEqual(["https://a.com", "https://b.com"]);
    expect(() => parseCliRepositories("[name url]")).toThrow(/Invalid repository URL "name url"/);
  });
  it("prints lists back", () => {
    expect(printCliList(["true", "false", "true"])).toBe("[true,false,true]");
    expect(splitCliList(printCliList(["a", "b"]))).toEqual(["a", "b"]);
  });
});

describe("repository URLs", () => {
  it("rejects URLs opam cannot parse", () => {
    expect(() => parseCliRepositories("[foo://x]")).toThrow(/Invalid repository URL "foo:\/\/x" in \[foo:\/\/x\]: .*unsupported protocol "foo"/);
    expect(() => parseCliRepositories("[svn+https://x]")).toThrow(/unsupported version control system "svn"/);
  });
});
