// The directory names pull accepts in x-opam-monorepo-duniverse-dirs: what opam-monorepo writes
// (dev-repo basenames, also `name.version` and a leading `-`), nothing hidden, nested or ours.
import { describe, expect, it } from "vitest";
import { dirListProblems, dirNameProblem, leavesDuniverse } from "./dir-names.js";

describe("dirNameProblem", () => {
  for (const name of ["ocaml-uri", "dune_", "lwt.5.7.0", "-dash", "Foo_Bar", "ünïcode", "a".repeat(255)]) {
    it(`accepts ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…` : name)}`, () => expect(dirNameProblem(name)).toBeUndefined());
  }
  const refused: [string, RegExp][] = [
    ["a/b", /single path component/],
    ["a/", /single path component/],
    [".hidden", /must not start with `\.`/],
    [".opam-monorepo-tmp-1-00000000", /must not start with `\.`/],
    ["dune", /file that pull writes/],
    ["DUNE", /file that pull writes/],
    ["README.md", /file that pull writes/],
    ["readme.MD", /file that pull writes/],
    ["tab\there", /control characters/],
    ["nul\u0000", /control characters/],
    ["back\\slash", /control characters or `\\`/],
    ["é".repeat(128), /at most 255 bytes/],
  ];
  for (const [name, problem] of refused) it(`refuses ${JSON.stringify(name.slice(0, 30))}`, () => expect(dirNameProblem(name)).toMatch(problem));
});

describe("leavesDuniverse: left to opam-monorepo's own message", () => {
  for (const name of ["", ".", "..", "../x", "/abs", "a/../.."]) it(JSON.stringify(name), () => expect(leavesDuniverse(name)).toBe(true));
  for (const name of ["a", "a/b", "a/../b", "./a"]) it(`not ${JSON.stringify(name)}`, () => expect(leavesDuniverse(name)).toBe(false));
});

describe("dirListProblems", () => {
  const entry = (dir: string, n: number) => ({ dir, url: `https://x/${n}.tbz` });
  it("lists every problem in order; duplicates and case variants name the first entry", () => {
    const problems = dirListProblems([entry("a", 1), entry("dune", 2), entry("a", 3), entry("A", 4), entry("..", 5), entry("b", 6)]);
    expect(problems.map(({ entry: e, problem }) => `${e.url} ${problem}`)).toEqual([
      "https://x/2.tbz `dune` is a file that pull writes in duniverse/",
      "https://x/3.tbz https://x/1.tbz is vendored into this directory too",
      'https://x/4.tbz the same directory as "a" (https://x/1.tbz) on case-insensitive filesystems',
    ]);
  });
  it("accepts a list opam-monorepo writes", () => expect(dirListProblems([entry("dune_", 1), entry("ocaml-uri", 2), entry("opam", 3)])).toEqual([]));
});
