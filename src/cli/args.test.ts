// Unit tests of the command-line conventions: cmdliner-style prefixes.
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { AmbiguousPrefix, expandPrefixes, resolvePrefix } from "./args.js";

function program(): Command {
  const p = new Command("t");
  p.command("lock").option("--lockfile <f>").option("--recurse-opam").option("--require-cross-compile");
  p.command("list").option("-s, --short");
  p.command("pull").option("--keep-git-dir").option("--keep-symlinked-dir").option("--lockfile <f>").option("--locked");
  return p;
}

describe("prefixes", () => {
  it("expands unambiguous subcommand and option prefixes", () => {
    expect(expandPrefixes(program(), ["lo", "--lock", "x", "--recurse"])).toEqual(["lock", "--lockfile", "x", "--recurse-opam"]);
    expect(expandPrefixes(program(), ["pu", "--keep-g=1"])).toEqual(["pull", "--keep-git-dir=1"]);
  });
  it("`--lock` stays `--lockfile` beside `pull --locked` (0.4.3's prefix; ocaml-ci uses it)", () => {
    expect(expandPrefixes(program(), ["pull", "--lock", "x", "--locked"])).toEqual(["pull", "--lockfile", "x", "--locked"]);
    expect(expandPrefixes(program(), ["pull", "--locke"])).toEqual(["pull", "--locked"]);
  });
  it("rejects ambiguous prefixes", () => {
    expect(() => expandPrefixes(program(), ["l"])).toThrow(AmbiguousPrefix);
    expect(() => expandPrefixes(program(), ["pull", "--keep"])).toThrow(/ambiguous/);
  });
  it("keeps exact names and unknown words", () => {
    expect(resolvePrefix("list", ["list", "listing"], "command")).toBe("list");
    expect(resolvePrefix("zz", ["list"], "command")).toBeUndefined();
  });
});
