// Issue 12 item 2: a mirage unikernel locked without OPAMVAR_monorepo (its dependencies are
// `{?monorepo}`) used to print "Wrote lockfile with 0 entries" and nothing else. Now lock warns,
// naming the opam file, how many dependencies were left out, and how to set the variable.
import { describe, expect, it } from "vitest";
import { dunePkg, expectOk, localOpam, opamRepo, REPOS_FIELD, world } from "./lock-world.js";

const repo = () => opamRepo().pkg("lwt", "1", dunePkg("lwt")).pkg("tcpip", "1", dunePkg("tcpip")).pkg("fmt", "1", dunePkg("fmt"));
const UNIKERNEL = localOpam(
  ['"dune" {build}', '"lwt" {?monorepo}', '"tcpip" {?monorepo & >= "1"}', '"fmt" {?monorepo}'],
  [REPOS_FIELD("minimal-repo", "repo")],
);

describe("lock: {?monorepo} dependencies without OPAMVAR_monorepo", () => {
  it("warns loudly, naming the file, the count and the setting; silent once it is set", async () => {
    const w = await world({ "mirage/unipi-hvt.opam": UNIKERNEL, "dune-project": "(lang dune 3.0)\n" }, { repo: repo() });
    const unset = await w.lock(["unipi-hvt", "-l", "mirage/unipi-hvt.opam.locked"]);
    expect(unset.code, unset.stderr).toBe(0);
    expect(unset.stderr).toMatch(
      /\[WARNING\] mirage\/unipi-hvt\.opam: 3 of its 4 dependencies \(lwt, tcpip, fmt\) are filtered by \{\?monorepo\}, and the opam variable monorepo is not set, so the lock file leaves them out\./,
    );
    expect(unset.stderr).toMatch(/`env OPAMVAR_monorepo=opam-monorepo opam-monorepo lock …`/);
    expect(await w.read("mirage/unipi-hvt.opam.locked")).not.toMatch(/"lwt"/);

    const set = expectOk(await w.lock(["unipi-hvt", "-l", "mirage/unipi-hvt.opam.locked"], { OPAMVAR_monorepo: "opam-monorepo" }));
    expect(set.stderr).toBe("");
    expect(await w.read("mirage/unipi-hvt.opam.locked")).toMatch(/"lwt" \{= "1" & \?vendor\}/);
  });

  it("a project without {?monorepo} dependencies gets no warning", async () => {
    const w = await world({ "x.opam": localOpam(['"dune"', '"lwt"'], [REPOS_FIELD("minimal-repo", "repo")]) }, { repo: repo() });
    expect(expectOk(await w.lock()).stderr).toBe("");
  });
});
