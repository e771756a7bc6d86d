// Failure diagnostics and their explanation: constraint failures, unavailable and not-dune
// versions, conflicts, conflict classes, dependency clashes, chains and truncation.
import { describe, expect, test } from "vitest";
import { memoryContext, type MemoryInput } from "../../test/helpers/memory-context.js";
import { OPAM_OVERLAYS_URL, explainFailure } from "./explain.js";
import type { Diagnostics } from "./model.js";
import { solve } from "./solver.js";

function diagnose(input: MemoryInput): Diagnostics {
  const result = solve(input);
  if (result.ok) throw new Error("expected no solution");
  return result.diagnostics;
}

describe("diagnostics", () => {
  test("a version restriction that only an unavailable version satisfies", () => {
    const context = memoryContext().add("main", "1", { depends: ["foo >= 2"] });
    context.add("foo", "1").reject("foo", "2", { kind: "unavailable" });
    const diagnostics = diagnose(context.input(["main"]));
    expect(diagnostics.selected).toEqual([{ name: "main", version: "1" }]);
    expect(diagnostics.noEligibleVersion).toEqual([{ name: "foo", constraint: ">= 2" }]);
    expect(diagnostics.notBuildableWithDune).toEqual([]);
    const explanation = explainFailure(diagnostics);
    expect(explanation.summary).toBe("No version of foo satisfies every constraint");
    expect(explanation.details).toEqual(["There is no eligible version of foo that matches >= 2"]);
    expect(explanation.problems).toEqual([
      {
        package: "foo",
        chains: [["main", "foo"]],
        constraints: ["main.1 requires >= 2"],
        rejected: [
          { version: "2", reason: "Availability condition not satisfied" },
          { version: "1", reason: "Incompatible with restriction >= 2 (from main.1)" },
        ],
        more: 0,
      },
    ]);
  });

  test("restrictions from a dependency and a conflict are AND-ed", () => {
    const context = memoryContext().add("app", "1", { depends: ["a", "foo >= 1"] }).add("a", "1", { conflicts: ["foo >= 2"] });
    context.add("foo", "3").reject("foo", "1", { kind: "user-constraint", constraint: "= 3" });
    const diagnostics = diagnose(context.input(["app"]));
    expect(diagnostics.noEligibleVersion).toEqual([{ name: "foo", constraint: "= 3 & >= 1 & !(>= 2)" }]);
    const [problem] = explainFailure(diagnostics).problems;
    expect(problem.chains).toEqual([["app", "foo"]]);
    expect(problem.constraints).toEqual(["app.1 requires >= 1", "a.1 conflicts with foo >= 2"]);
    expect(problem.rejected).toEqual([
      { version: "3", reason: "Conflicts with a.1" },
      { version: "1", reason: "Rejected by user-specified constraint = 3" },
    ]);
  });

  test("depth-first preference blames the later requirer", () => {
    const context = memoryContext().add("app", "1", { depends: ["a", "b"] });
    context.add("a", "1", { depends: ["foo >= 3"] }).add("b", "1", { depends: ["foo < 2"] }).add("foo", "1").add("foo", "3");
    const diagnostics = diagnose(context.input(["app"]));
    expect(diagnostics.selected).toEqual([
      { name: "a", version: "1" },
      { name: "app", version: "1" },
      { name: "foo", version: "3" },
    ]);
    const [problem] = explainFailure(diagnostics).problems;
    expect(problem.package).toBe("b");
    expect(problem.chains).toEqual([["app", "b"]]);
    expect(problem.rejected).toEqual([{ version: "1", reason: "Requires foo < 2, but foo.3 is selected" }]);
  });

  test("every version not building with dune is reported for the overlay hint", () => {
    const context = memoryContext().add("app", "1", { depends: ["lib"] }).add("lib", "1", { depends: ["old"] });
    context.reject("old", "1", { kind: "not-dune" }).reject("old", "2", { kind: "not-dune" });
    const diagnostics = diagnose(context.input(["app"]));
    expect(diagnostics.notBuildableWithDune).toEqual(["old"]);
    const explanation = explainFailure(diagnostics);
    expect(explanation.summary).toBe("Some dependencies cannot be built with dune: old");
    expect(explanation.hints.join("\n")).toContain(OPAM_OVERLAYS_URL);
    expect(explanation.problems[0].rejected.map((r) => r.reason)).toEqual(["Doesn't build with dune", "Doesn't build with dune"]);
    expect(explanation.problems[0].chains).toEqual([["app", "lib", "old"]]);
  });

  test("a package with a usable but incompatible version is not a dune problem", () => {
    const context = memoryContext().add("app", "1", { depends: ["old >= 2"] });
    context.add("old", "1").reject("old", "2", { kind: "not-dune" });
    const diagnostics = diagnose(context.input(["app"]));
    expect(diagnostics.notBuildableWithDune).toEqual([]);
    expect(diagnostics.noEligibleVersion).toEqual([{ name: "old", constraint: ">= 2" }]);
  });

  test("a conflict declared by a selected package", () => {
    const context = memoryContext().add("a", "1", { conflicts: ["b"] }).add("b", "1").add("b", "2");
    const explanation = explainFailure(diagnose(context.input(["a", "b"])));
    expect(explanation.problems).toEqual([
      {
        package: "b",
        chains: [["b"]],
        constraints: ["a.1 conflicts with every version of b"],
        rejected: [
          { version: "2", reason: "Conflicts with a.1" },
          { version: "1", reason: "Conflicts with a.1" },
        ],
        more: 0,
      },
    ]);
  });

  test("a candidate whose own dependency or conflict clashes with an earlier selection", () => {
    const context = memoryContext().add("a", "1", { depends: ["c = 1"] }).add("c", "1").add("c", "2");
    context.add("b", "2", { depends: ["c = 2"] }).add("b", "1", { conflicts: ["c = 1"] });
    const [problem] = explainFailure(diagnose(context.input(["a", "b"]))).problems;
    expect(problem.package).toBe("b");
    expect(problem.rejected).toEqual([
      { version: "2", reason: "Requires c = 2, but c.1 is selected" },
      { version: "1", reason: "Conflicts with the selected c.1" },
    ]);
  });

  test("a conflict class shared with an earlier selection", () => {
    const context = memoryContext().add("base", "5", { classes: ["core-compiler"] });
    context.add("variants", "5", { classes: ["core-compiler"] });
    const [problem] = explainFailure(diagnose(context.input(["base", "variants"]))).problems;
    expect(problem.rejected).toEqual([{ version: "5", reason: "In the same conflict class (core-compiler) as base.5" }]);
  });

  test("a root constraint and an unknown package", () => {
    const context = memoryContext().add("ocaml", "4.14").add("ocaml", "5.1");
    const explanation = explainFailure(diagnose(context.input(["ocaml >= 6", "nope"])));
    expect(explanation.summary).toBe("Can't find all required versions: nope, ocaml");
    expect(explanation.problems.map((p) => [p.package, p.constraints])).toEqual([
      ["nope", []],
      ["ocaml", ["the request requires >= 6"]],
    ]);
    expect(explanation.hints).toEqual(["no repository provides nope: check the name, or add the repository that has it"]);
  });

  test("rejected versions are listed newest first, five unless verbose", () => {
    const context = memoryContext().add("app", "1", { depends: ["lib >= 10"] });
    for (let v = 1; v <= 8; v++) context.add("lib", String(v));
    const diagnostics = diagnose(context.input(["app"]));
    const short = explainFailure(diagnostics).problems[0];
    expect(short.rejected.map((r) => r.version)).toEqual(["8", "7", "6", "5", "4"]);
    expect(short.more).toBe(3);
    const verbose = explainFailure(diagnostics, { verbose: true }).problems[0];
    expect(verbose.rejected).toHaveLength(8);
    expect(verbose.more).toBe(0);
  });

  test("unavailable everywhere gives a platform hint", () => {
    const context = memoryContext().add("app", "1", { depends: ["linux-only"] });
    context.reject("linux-only", "1", { kind: "unavailable" });
    const explanation = explainFailure(diagnose(context.input(["app"])));
    expect(explanation.hints).toEqual([
      "no version of linux-only is available on this platform: check the opam variables (os, arch, ...)",
    ]);
  });
});
