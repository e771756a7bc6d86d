// Unit tests of lock file encoding: field order, sort orders, and the §2.3 example byte for byte.
import { describe, expect, it } from "vitest";
import { parseValue } from "../opam/parser.js";
import { printOpam } from "../opam/printer.js";
import type { Lockfile } from "./model.js";
import { compareFilters, compareOpamUrls, comparePackageNames, encodeLockfile, pinDependsOfRepos, sortDepexts } from "./encode.js";
import { lockfileText, parseLockfile } from "./file.js";
import { filterFromValue } from "../opam/filter.js";
import { SIMPLE_LOCK } from "../../test/helpers/golden.js";


const ROOT = "/home/user/simple-lock";

/** The §2.3 lock file as data, lists deliberately out of order. */
function simpleLockModel(): Lockfile {
  const dep = (name: string, version: string, vendored = false) => ({ name, version, vendored });
  const repos = [
    { dir: "c", url: "https://c.com/c.tbz", hashes: ["sha256=0000000000000000000000000000000000000000000000000000000000000001"], provides: [{ name: "c", version: "1" }] },
    { dir: "b", url: "https://b.com/b.tbz", hashes: ["sha256=0000000000000000000000000000000000000000000000000000000000000000"], provides: [{ name: "b", version: "1" }] },
  ];
  return {
    version: "0.3",
    rootPackages: ["simple-lock"],
    depends: [
      dep("ocaml-options-vanilla", "1"),
      dep("ocaml", "4.13.1"),
      dep("c", "1", true),
      dep("base-threads", "base"),
      dep("b", "1", true),
      dep("base-bigarray", "base"),
      dep("base-unix", "base"),
      dep("dune", "2.9.1"),
      dep("ocaml-base-compiler", "4.13.1"),
      dep("ocaml-config", "2"),
    ],
    depexts: [],
    pinDepends: pinDependsOfRepos(repos),
    repos,
    cliArgs: undefined,
    globalOpamVars: undefined,
    opamProvided: undefined,
    opamRepositories: [`file://${ROOT}/minimal-repo`, `file://${ROOT}/repo`],
  };
}

describe("encodeLockfile", () => {
  it("prints the §2.3 example byte for byte", () => {
    expect(printOpam(encodeLockfile(simpleLockModel(), ROOT))).toBe(SIMPLE_LOCK);
  });

  it("writes cli-args, global vars, opam-provided and depexts in their sort orders", () => {
    const lockfile: Lockfile = {
      ...simpleLockModel(),
      depends: [
        { name: "b", version: "1.10", vendored: false },
        { name: "B", version: "1", vendored: false },
        { name: "b", version: "1.9", vendored: false },
        { name: "a", version: "1", vendored: false },
      ],
      depexts: [
        { packages: ["pkg-config"], filter: parseValue('os-family = "debian"') },
        { packages: ["devel/pkgconf"], filter: parseValue('os = "openbsd"') },
        { packages: ["pkg-config"], filter: parseValue('(os-family = "debian")') },
        { packages: ["libgmp-dev"], filter: undefined },
      ],
      repos: [],
      pinDepends: [],
      cliArgs: ["--opam-provided", "[ocamlfind]"],
      globalOpamVars: new Map<string, boolean | string | string[]>([
        ["os", "linux"],
        ["arch", "x86_64"],
        ["flag", true],
        ["list", ["a", "b"]],
      ]),
      opamProvided: ["ocamlfind", "Zed", "alpha"],
      opamRepositories: undefined,
    };
    const text = printOpam(encodeLockfile(lockfile));
    expect(text).toContain('depends: [\n  "a" {= "1"}\n  "B" {= "1"}\n  "b" {= "1.9"}\n  "b" {= "1.10"}\n]\n');
    expect(text).toContain(
      'depexts: [\n  ["devel/pkgconf"] {os = "openbsd"}\n  ["libgmp-dev"]\n  ["pkg-config"] {os-family = "debian"}\n]\n',
    );
    expect(text).toContain('x-opam-monorepo-cli-args: ["--opam-provided" "[ocamlfind]"]\n');
    expect(text).toContain('x-opam-monorepo-global-opam-vars: [\n  ["arch" "x86_64"]\n  ["flag" true]\n  ["list" ["a" "b"]]\n  ["os" "linux"]\n]\n');
    expect(text).toContain('x-opam-monorepo-opam-provided: ["alpha" "ocamlfind" "Zed"]\n');
    expect(text).not.toContain("pin-depends");
    expect(text).not.toContain("opam-repositories");
    // Nothing vendored: the reference writes the empty duniverse-dirs field as an empty line.
    expect(lockfileText(lockfile)).toContain('x-opam-monorepo-cli-args: ["--opam-provided" "[ocamlfind]"]\n\nx-opam-monorepo-global-opam-vars: [\n');
  });

  it("unwraps a one-element depexts or pin-depends list as opam's printer does, and reads it back", () => {
    const repos = [{ dir: "b", url: "https://b.com/b.tbz", hashes: [], provides: [{ name: "b", version: "1" }] }];
    const lockfile: Lockfile = {
      ...simpleLockModel(),
      depexts: [{ packages: ["linux-headers"], filter: parseValue('os-family = "alpine"') }],
      repos,
      pinDepends: pinDependsOfRepos(repos),
    };
    const text = lockfileText(lockfile, ROOT);
    expect(text).toContain('depexts: ["linux-headers"] {os-family = "alpine"}\n');
    expect(text).toContain('pin-depends: ["b.1" "https://b.com/b.tbz"]\n');
    const back = parseLockfile(text, "x.opam.locked", ROOT);
    expect(back.depexts).toEqual([{ packages: ["linux-headers"], filter: expect.anything() }]);
    expect(back.pinDepends).toEqual([{ id: "b.1", url: "https://b.com/b.tbz" }]);
    const bare = lockfileText({ ...lockfile, depexts: [{ packages: ["gmp", "gmp-dev"], filter: undefined }] }, ROOT);
    expect(bare).toContain('depexts: ["gmp" "gmp-dev"]\n');
    expect(parseLockfile(bare, "x.opam.locked", ROOT).depexts).toEqual([{ packages: ["gmp", "gmp-dev"], filter: undefined }]);
  });

  it("writes the repositories as a set in opam's URL order, $OPAM_MONOREPO_CWD rewritten first", () => {
    const lockfile: Lockfile = {
      ...simpleLockModel(),
      opamRepositories: ["file:///z/opam-repository", `file://${ROOT}/ov`, "git+https://a.org/r.git", "file:///a/mirage", "file:///z/opam-repository"],
    };
    expect(lockfileText(lockfile, ROOT)).toContain(
      'x-opam-monorepo-opam-repositories: [\n  "file://$OPAM_MONOREPO_CWD/ov"\n  "file:///a/mirage"\n  "file:///z/opam-repository"\n  "git+https://a.org/r.git"\n]\n',
    );
  });

  it("leaves out cli-args when empty", () => {
    expect(printOpam(encodeLockfile({ ...simpleLockModel(), cliArgs: [] }))).not.toContain("cli-args");
  });
});

describe("sort orders", () => {
  it("orders package names as the reference does: per character, case-insensitive, uppercase first on a tie", () => {
    const names = ["int_repr", "angstrom", "ISO8601", "fmt", "ANSITerminal", "sexplib", "SZXX", "ocaml", "OCADml", "b", "B", "menhirLib", "menhir"];
    expect([...names].sort(comparePackageNames)).toEqual(["ANSITerminal", "angstrom", "B", "b", "fmt", "ISO8601", "int_repr", "menhir", "menhirLib", "OCADml", "ocaml", "SZXX", "sexplib"]);
  });
  it("sorts URLs in opam order: transport, path, fragment, backend", () => {
    const urls = ["https://b.com/x.tbz", "git+https://a.com/r.git#abc", "git+https://a.com/r.git", "file:///z", "http://z.com/a"];
    expect([...urls].sort(compareOpamUrls)).toEqual([
      "file:///z",
      "http://z.com/a",
      "git+https://a.com/r.git",
      "git+https://a.com/r.git#abc",
      "https://b.com/x.tbz",
    ]);
  });
  it("compares filters like OCaml's structural compare", () => {
    const f = (text: string) => filterFromValue(parseValue(text), { file: "t", field: "depexts" });
    expect(compareFilters(f("true"), f('"s"'))).toBeLessThan(0);
    expect(compareFilters(f('os = "a"'), f('os = "b"'))).toBeLessThan(0);
    expect(compareFilters(f('os = "a"'), f('os = "a" & arch = "x"'))).toBeLessThan(0);
    expect(compareFilters(f("a"), f("pkg:a"))).toBeLessThan(0);
  });
  it("de-duplicates depexts and sorts their package sets", () => {
    const sorted = sortDepexts([
      { packages: ["b", "a", "b"], filter: undefined },
      { packages: ["a", "b"], filter: parseValue("true") },
    ]);
    expect(sorted).toEqual([{ packages: ["a", "b"], filter: undefined }]);
  });
});
