// Unit tests of the cause analysis: the direct dependency no viable version meets, the chain down
// to the excluded package, with-test marking, and targets that are not blocked.
import { describe, expect, it } from "vitest";
import { memoryContext } from "../../test/helpers/memory-context.js";
import { findCauses } from "./explain-cause.js";

const universe = () =>
  memoryContext()
    .reject("ocaml", "5.1", { kind: "user-constraint", constraint: "= 4.14" })
    .add("ocaml", "4.14")
    .add("eio", "1.0", { depends: ["ocaml >= 5.1"] })
    .add("eio", "1.1", { depends: ["ocaml >= 5.1"] })
    .add("lwt", "5", { depends: ["ocaml >= 4.08"] })
    .add("ppx_expect", "0.17", { depends: ["ocaml >= 5.1"] })
    .add("app-eio", "zdev", { depends: ["eio >= 1.0", "app"] })
    .add("app", "zdev", { depends: ["lwt", "ppx_expect >= 0.17"] })
    .add("app-lwt", "zdev", { depends: ["lwt", "app"] });

describe("findCauses", () => {
  it("names each target's failing direct dependency and the chain down to the user constraint", () => {
    const input = universe().input(["app", "app-eio", "app-lwt"]);
    const targets = [
      { name: "app", testDeps: new Set(["ppx_expect"]) },
      { name: "app-eio", testDeps: new Set<string>() },
      { name: "app-lwt", testDeps: new Set<string>() },
    ];
    const analysis = findCauses(input, targets)!;
    expect(analysis.unblocked).toEqual(["app-lwt"]);
    expect(analysis.causes).toEqual([
      {
        target: "app",
        steps: [{ name: "ppx_expect", constraint: ">= 0.17" }, { name: "ocaml", constraint: ">= 5.1", versions: { first: "0.17", last: "0.17", count: 1, of: 1 } }],
        end: "excluded by the requested ocaml = 4.14",
        testOnly: true,
        byUser: true,
      },
      {
        target: "app-eio",
        steps: [{ name: "eio", constraint: ">= 1.0" }, { name: "ocaml", constraint: ">= 5.1", versions: { first: "1.1", last: "1.0", count: 2, of: 2 } }],
        end: "excluded by the requested ocaml = 4.14",
        testOnly: false,
        byUser: true,
      },
    ]);
  });

  it("an unknown package and a bound no version meets", () => {
    const input = memoryContext().add("b", "1").add("x", "zdev", { depends: ["nope", "b >= 2"] }).input(["x"]);
    const { causes } = findCauses(input, [{ name: "x", testDeps: new Set() }])!;
    expect(causes.map((c) => c.end)).toEqual(["no package named nope is known", "no version of b matches >= 2 (b has 1)"]);
  });
});
