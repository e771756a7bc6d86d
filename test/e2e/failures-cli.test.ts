// Issue 12 item 7: the list options accept `a,b`, a single value and `[a, b]` where that is
// unambiguous, and a bad option value is a bad command line (exit 124, as cmdliner and the README say).
import { describe, expect, it } from "vitest";
import { dunePkg, localOpam, opamRepo, REPOS_FIELD, world } from "./lock-world.js";

const repo = () => opamRepo().pkg("b", "1", dunePkg("b"));
const project = () => world({ "x.opam": localOpam(['"dune"', '"b"']) }, { repo: repo() });
const REPOS = ["file://$OPAM_MONOREPO_CWD/minimal-repo", "file://$OPAM_MONOREPO_CWD/repo"];

describe("lock: forgiving list options", () => {
  for (const [label, value] of [
    ["a,b (no brackets)", REPOS.join(",")],
    ["[a, b] (a blank after the comma)", `[${REPOS.join(", ")}]`],
    ["[a,b] (the reference's form)", `[${REPOS.join(",")}]`],
  ] as const) {
    it(`--opam-repositories ${label}`, async () => {
      const w = await project();
      const result = await w.lock(["--opam-repositories", value]);
      expect(result.code, result.stderr).toBe(0);
      expect(await w.read("x.opam.locked")).toMatch(/"b" \{= "1" & \?vendor\}/);
    });
  }

  it("--add-opam-repositories with a single value, --opam-provided a,b", async () => {
    const w = await world({ "x.opam": localOpam(['"dune"', '"b"'], [REPOS_FIELD("minimal-repo")]) }, { repo: repo() });
    const result = await w.lock(["--add-opam-repositories", REPOS[1]!, "--opam-provided", "b, dune"]);
    expect(result.code, result.stderr).toBe(0);
    const lock = await w.read("x.opam.locked");
    expect(lock).toMatch(/x-opam-monorepo-opam-provided: \["b" "dune"\]/);
  });
});

describe("bad option values exit 124", () => {
  it("an unmatched bracket, a blank inside a name, a bad --jobs", async () => {
    const w = await project();
    for (const args of [["--opam-repositories", "[a,b"], ["--opam-provided", "[a,b c]"], ["--global-opam-vars", "[[os]]"]]) {
      const result = await w.lock(args);
      expect(result.code, result.stderr).toBe(124);
      expect(result.stderr).toMatch(new RegExp(`^opam-monorepo: \\[ERROR\\] option ${args[0]}`));
      expect(result.stderr).not.toMatch(/^\s+at /m);
    }
    const pull = await w.lock(["--no-such-flag"]);
    expect(pull.code).toBe(124);
  });
});
