// Unit tests of the x-opam-monorepo-* configuration: merging, CLI flags, $OPAM_MONOREPO_CWD rewriting.
import { describe, expect, it } from "vitest";
import { parseOpam, parseValue } from "../opam/parser.js";
import {
  EMPTY_CONFIG,
  globalVarsOfValue,
  makeSourceConfig,
  opamProvidedOfValue,
  repositoriesOfValue,
  repositorySourceUrl,
  rewriteRepositoryIn,
  rewriteRepositoryOut,
  sourceConfigOfOpam,
  sourceConfigOfTargets,
} from "./config.js";
import { parseCliGlobalVars, parseCliOpamProvided, parseCliRepositories } from "./cli-list.js";

const value = (text: string) => parseValue(text, "test.opam");
const misuse = (url: string) =>
  `$OPAM_MONOREPO_CWD can only be used to rewrite the root part of file:// URLs. "${url}" is an invalid use of the variable.`;

describe("$OPAM_MONOREPO_CWD rewrite-in", () => {
  it("rewrites the root of file and git+file URLs", () => {
    expect(rewriteRepositoryIn("file://$OPAM_MONOREPO_CWD/something_local", "/home/a")).toBe("file:///home/a/something_local");
    expect(rewriteRepositoryIn("git+file://$OPAM_MONOREPO_CWD/something_local", "/home/a")).toBe("git+file:///home/a/something_local");
    expect(rewriteRepositoryIn("git+file://$OPAM_MONOREPO_CWD/repo#main", "/home/a/")).toBe("git+file:///home/a/repo#main");
    expect(rewriteRepositoryIn("file://$OPAM_MONOREPO_CWD", "/home/a")).toBe("file:///home/a");
  });
  it("leaves URLs without the variable alone", () => {
    expect(rewriteRepositoryIn("https://github.com/ocaml/opam-repository.git", "/home/a")).toBe("https://github.com/ocaml/opam-repository.git");
  });
  it("rejects the variable in a remote URL, in a non-leading position, or glued to a name", () => {
    for (const url of [
      "https://$OPAM_MONOREPO_CWD/something_local",
      "file:///home/$OPAM_MONOREPO_CWD/something_local",
      "file://$OPAM_MONOREPO_CWDx/something",
      "file://$OPAM_MONOREPO_CWD/a/$OPAM_MONOREPO_CWD",
    ]) {
      expect(() => rewriteRepositoryIn(url, "/home/a")).toThrow(misuse(url));
    }
  });
});

describe("$OPAM_MONOREPO_CWD rewrite-out", () => {
  it("rewrites file and git+file paths under the root", () => {
    expect(rewriteRepositoryOut("file:///home/a/something_local", "/home/a")).toBe("file://$OPAM_MONOREPO_CWD/something_local");
    expect(rewriteRepositoryOut("git+file:///home/a/something_local", "/home/a")).toBe("git+file://$OPAM_MONOREPO_CWD/something_local");
    expect(rewriteRepositoryOut("git+file:///home/a/repo#0123abc", "/home/a")).toBe("git+file://$OPAM_MONOREPO_CWD/repo#0123abc");
  });
  it("leaves remote URLs and paths outside the root alone", () => {
    expect(rewriteRepositoryOut("https:///home/a/something.com", "/home/a")).toBe("https:///home/a/something.com");
    expect(rewriteRepositoryOut("file:///house/home/a/something", "/home/a")).toBe("file:///house/home/a/something");
  });
  it("matches whole path components only (DESIGN fix 7)", () => {
    expect(rewriteRepositoryOut("file:///home/ab/repo", "/home/a")).toBe("file:///home/ab/repo");
  });
  it("round-trips with rewrite-in", () => {
    const url = "git+file://$OPAM_MONOREPO_CWD/git-repository#abc";
    expect(rewriteRepositoryOut(rewriteRepositoryIn(url, "/w/p"), "/w/p")).toBe(url);
  });
});

describe("field values from opam files", () => {
  it("repositories", () => {
    expect(repositoriesOfValue("test.opam", value('[ "https://github.com/repo" ]'))).toEqual(["https://github.com/repo"]);
    expect(repositoriesOfValue("test.opam", value('[ "https://b.com" "https://a.com" ]'))).toEqual(["https://b.com", "https://a.com"]);
    expect(() => repositoriesOfValue("test.opam", value('"https://a.com"'))).toThrow(
      'Error in opam file test.opam, [1:0]: Expected a list, got: "https://a.com"',
    );
  });
  it("global vars", () => {
    const vars = globalVarsOfValue("test.opam", value('[["var1" true] ["var2" "a"] ["var3" ["a" "b"]]]'));
    expect([...vars]).toEqual([
      ["var1", true],
      ["var2", "a"],
      ["var3", ["a", "b"]],
    ]);
  });
  it("global vars: a duplicate name is an error at the field's position", () => {
    expect(() => globalVarsOfValue("test.opam", value('[["var1" true]["var1" true]]'))).toThrow(
      "Error in opam file test.opam, [1:0]: Opam global variable var1 is defined more than once",
    );
  });
  it("global vars: shapes", () => {
    expect(() => globalVarsOfValue("test.opam", value('[["a"]]'))).toThrow('Error in opam file test.opam, [1:1]: Expected a pair, got: ["a"]');
    expect(() => globalVarsOfValue("test.opam", value('[["a" 42]]'))).toThrow(
      "Error in opam file test.opam, [1:6]: Expected a boolean, a list or a string, got: 42",
    );
  });
  it("opam-provided: a string or a list", () => {
    expect(opamProvidedOfValue("test.opam", value('"a"'))).toEqual(["a"]);
    expect(opamProvidedOfValue("test.opam", value('["a" "b"]'))).toEqual(["a", "b"]);
    expect(() => opamProvidedOfValue("test.opam", value("42"))).toThrow(
      "Error in opam file test.opam, [1:0]: Expected a list or a string, got: 42",
    );
  });
  it("reads the three fields of an opam file", () => {
    const opam = parseOpam(
      [
        'opam-version: "2.0"',
        'x-opam-monorepo-opam-repositories: ["file://$OPAM_MONOREPO_CWD/minimal-repo" "file://$OPAM_MONOREPO_CWD/repo"]',
        'x-opam-monorepo-global-opam-vars: [["arch" "x86_64"]]',
        'x-opam-monorepo-opam-provided: "b"',
        "",
      ].join("\n"),
      "x.opam",
    );
    const config = sourceConfigOfOpam(opam);
    expect(config.repositories).toEqual(["file://$OPAM_MONOREPO_CWD/minimal-repo", "file://$OPAM_MONOREPO_CWD/repo"]);
    expect([...config.globalVars!]).toEqual([["arch", "x86_64"]]);
    expect(config.opamProvided).toEqual(["b"]);
    expect(sourceConfigOfOpam(parseOpam('opam-version: "2.0"\n', "y.opam"))).toEqual(EMPTY_CONFIG);
  });
});

describe("merging and the CLI", () => {
  const a = parseOpam('x-opam-monorepo-opam-provided: ["a"]\nx-opam-monorepo-global-opam-vars: [["os" "linux"]]\n', "a.opam");
  const b = parseOpam('x-opam-monorepo-opam-provided: "b"\nx-opam-monorepo-global-opam-vars: [["os" "linux"] ["arch" "arm64"]]\n', "b.opam");
  const c = parseOpam('x-opam-monorepo-global-opam-vars: [["os" "macos"]]\n', "c.opam");

  it("unions the target files' fields; the same variable must have the same value", () => {
    const merged = sourceConfigOfTargets([a, b]);
    expect(merged.opamProvided).toEqual(["a", "b"]);
    expect([...merged.globalVars!]).toEqual([
      ["os", "linux"],
      ["arch", "arm64"],
    ]);
    expect(merged.repositories).toBeUndefined();
    expect(() => sourceConfigOfTargets([a, c])).toThrow(
      "Environment variable os is set to different values in different opam files global-opam-vars field",
    );
  });

  it("replace flags win, add flags are merged, and URLs are rewritten in", () => {
    const files = sourceConfigOfTargets([
      parseOpam('x-opam-monorepo-opam-repositories: ["file://$OPAM_MONOREPO_CWD/repo"]\nx-opam-monorepo-opam-provided: "a"\n', "x.opam"),
    ]);
    const added = makeSourceConfig("/w", files, {
      replace: EMPTY_CONFIG,
      add: { repositories: parseCliRepositories("[https://opam.ocaml.org]"), globalVars: undefined, opamProvided: parseCliOpamProvided("b") },
    });
    expect(added.repositories).toEqual(["file:///w/repo", "git+https://github.com/ocaml/opam-repository.git"]);
    expect(added.opamProvided).toEqual(["a", "b"]);
    expect(added.globalVars).toBeUndefined();

    const replaced = makeSourceConfig("/w", files, {
      replace: { repositories: ["git+file://$OPAM_MONOREPO_CWD/other"], globalVars: parseCliGlobalVars("[[os,linux]]"), opamProvided: [] },
      add: EMPTY_CONFIG,
    });
    expect(replaced.repositories).toEqual(["git+file:///w/other"]);
    expect(replaced.opamProvided).toEqual([]);
    expect([...replaced.globalVars!]).toEqual([["os", "linux"]]);
  });

  it("a bad variable use on the command line is reported too", () => {
    expect(() =>
      makeSourceConfig("/w", EMPTY_CONFIG, { replace: EMPTY_CONFIG, add: { ...EMPTY_CONFIG, repositories: ["https://$OPAM_MONOREPO_CWD/x"] } }),
    ).toThrow(misuse("https://$OPAM_MONOREPO_CWD/x"));
  });

  it("maps opam.ocaml.org to the opam-repository git repository", () => {
    expect(repositorySourceUrl("https://opam.ocaml.org")).toBe("git+https://github.com/ocaml/opam-repository.git");
    expect(repositorySourceUrl("https://opam.ocaml.org/")).toBe("git+https://github.com/ocaml/opam-repository.git");
    expect(repositorySourceUrl("https://opam.ocaml.org/cache")).toBe("https://opam.ocaml.org/cache");
  });
});

describe("repository URL checks in opam files", () => {
  it("names the file and position of an unparsable URL", () => {
    expect(() => repositoriesOfValue("test.opam", value('[ "https://a.com" "foo://b" ]'))).toThrow(
      /^Error in opam file test.opam, \[1:18\]: Invalid repository URL "foo:\/\/b": .*unsupported protocol "foo"/,
    );
  });
});
