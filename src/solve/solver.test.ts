// solve() on hand-made universes: opam-monorepo's mock-context cases, `|` alternatives, learning,
// the jbuilder.transition order trap, cycles, deep chains, laziness and determinism.
import { describe, expect, test } from "vitest";
import { checkSelection } from "../../test/helpers/check-selection.js";
import { memoryContext, type MemoryContext, type MemoryInput } from "../../test/helpers/memory-context.js";
import { LARGE, syntheticProblem } from "../../bench/solve.js";
import type { SolveResult, SolveSuccess } from "./model.js";
import { solve, whyChains } from "./solver.js";

function ids(result: SolveResult): string[] {
  if (!result.ok) throw new Error(`no solution: ${JSON.stringify(result.diagnostics.problems.map((p) => p.name))}`);
  return [...result.selection.values()].map((impl) => `${impl.name}.${impl.version}`);
}

function solved(input: MemoryInput): SolveSuccess {
  const result = solve(input);
  if (!result.ok) throw new Error("expected a solution");
  expect(checkSelection(input, result.selection)).toEqual([]);
  return result;
}

/** opam-monorepo test_solve.ml: the target plus `ocaml-base-compiler` are requested. */
function monorepoUniverse(): MemoryContext {
  return memoryContext().add("ocaml-base-compiler", "3.14").add("root", "0", { depends: ["p1", "p2"] });
}

describe("opam-monorepo mock-context cases", () => {
  const roots = ["root", "ocaml-base-compiler"];

  test("simple: newest p1", () => {
    const context = monorepoUniverse().add("p1", "1").add("p1", "2").add("p2", "1");
    expect(ids(solved(context.input(roots)))).toEqual(["ocaml-base-compiler.3.14", "p1.2", "p2.1", "root.0"]);
  });

  test("conflicts are respected: p1.2 conflicts with p2.1, so p1.1", () => {
    const context = monorepoUniverse().add("p1", "1").add("p1", "2", { conflicts: ["p2 = 1"] }).add("p2", "1");
    expect(ids(solved(context.input(roots)))).toEqual(["ocaml-base-compiler.3.14", "p1.1", "p2.1", "root.0"]);
  });

  test("conflict-class is respected", () => {
    const context = monorepoUniverse()
      .add("p1", "1", { classes: ["x"] })
      .add("p1", "2", { classes: ["y"] })
      .add("p2", "1", { classes: ["y"] });
    expect(ids(solved(context.input(roots)))).toEqual(["ocaml-base-compiler.3.14", "p1.1", "p2.1", "root.0"]);
  });

  // Same dev-repo, different hashes: the adapter turns them into conflicts, in candidate-request order.
  const urlUniverse = (p2Conflicts: boolean): MemoryContext =>
    memoryContext()
      .add("ocaml-base-compiler", "3.14")
      .add("p1", "1")
      .add("p1", "2")
      .add("p2", "1", { conflicts: p2Conflicts ? ["p1 = 2"] : [] })
      .add("p2", "2", { conflicts: p2Conflicts ? ["p1 = 1"] : [] });

  test("conflict_url: same-source conflicts force p2.1 to match p1.1", () => {
    const context = urlUniverse(true).add("root", "0", { depends: ["p1 = 1", "p2"] });
    expect(ids(solved(context.input(roots)))).toEqual(["ocaml-base-compiler.3.14", "p1.1", "p2.1", "root.0"]);
  });

  test("no_conflict_when_virtual: without generated conflicts p2.2 is chosen", () => {
    const context = urlUniverse(false).add("root", "0", { depends: ["p1 = 1", "p2"] });
    expect(ids(solved(context.input(roots)))).toEqual(["ocaml-base-compiler.3.14", "p1.1", "p2.2", "root.0"]);
  });

  test("no_conflict_with_pin: a pinned p2.0 is the only p2 candidate", () => {
    const context = memoryContext().add("ocaml-base-compiler", "3.14").add("p1", "1").add("p1", "2").add("p2", "0");
    context.add("root", "0", { depends: ["p1", "p2"] });
    expect(ids(solved(context.input(roots)))).toEqual(["ocaml-base-compiler.3.14", "p1.2", "p2.0", "root.0"]);
  });
});

describe("alternatives (opam `|`)", () => {
  const universe = (): MemoryContext =>
    memoryContext().add("a", "1", { depends: [{ any: ["b >= 2", "c"] }] }).add("c", "1").add("c", "2");

  test("the first satisfiable alternative wins, in textual order", () => {
    const context = universe().add("b", "1").add("b", "2");
    expect(ids(solved(context.input(["a"])))).toEqual(["a.1", "b.2"]);
  });

  test("a later alternative is used when the first cannot be satisfied", () => {
    const context = universe().add("b", "1").reject("b", "2", { kind: "unavailable" });
    expect(ids(solved(context.input(["a"])))).toEqual(["a.1", "c.2"]);
  });

  test("an alternative already satisfied by an earlier choice is still preferred in order", () => {
    const context = universe().add("b", "2").add("d", "1", { depends: ["c = 1"] });
    expect(ids(solved(context.input(["d", "a"])))).toEqual(["a.1", "b.2", "c.1", "d.1"]);
  });

  test("alternatives conflicting with earlier choices are skipped", () => {
    const context = universe().add("b", "2").add("e", "1", { conflicts: ["b"] });
    expect(ids(solved(context.input(["e", "a"])))).toEqual(["a.1", "c.2", "e.1"]);
  });
});

describe("search", () => {
  test("the newest A forces an unsatisfiable chain below B, so the solver learns and falls back to A.1", () => {
    const context = memoryContext()
      .add("a", "2", { depends: ["c >= 2"] })
      .add("a", "1", { depends: ["c < 2"] })
      .add("c", "1")
      .add("c", "2")
      .add("c", "3")
      .add("b", "2", { depends: ["d"] })
      .add("b", "1", { depends: ["f"] })
      .add("d", "1", { depends: ["e"] })
      .add("e", "1", { depends: ["c = 1"] })
      .add("f", "1", { depends: ["c <= 1"] });
    for (const x of ["x1", "x2", "x3"]) context.add(x, "1").add(x, "2");
    const result = solved(context.input(["a", "x1", "x2", "x3", "b"]));
    expect(ids(result)).toEqual(["a.1", "b.2", "c.1", "d.1", "e.1", "x1.2", "x2.2", "x3.2"]);
    expect(result.stats.conflicts).toBeGreaterThan(0);
  });

  test("jbuilder.transition trap: the order of the roots decides who gets the newest version", () => {
    const context = memoryContext()
      .add("jbuilder", "2", { depends: ["dune < 2"] }) // plays jbuilder.transition
      .add("jbuilder", "1")
      .add("dune", "1")
      .add("dune", "2")
      .add("lwt", "2", { depends: ["dune >= 2"] })
      .add("lwt", "1", { depends: ["dune"] });
    expect(ids(solved(context.input(["jbuilder", "dune", "lwt"])))).toEqual(["dune.1", "jbuilder.2", "lwt.1"]);
    expect(ids(solved(context.input(["dune", "jbuilder", "lwt"])))).toEqual(["dune.2", "jbuilder.1", "lwt.2"]);
  });

  test("cycles through post back-edges (ocaml -> compiler -> ocaml) are handled", () => {
    const context = memoryContext().add("app", "1", { depends: ["ocaml >= 4"] });
    for (const v of ["4", "5"]) {
      context.add("ocaml", v, { depends: [{ any: [`base-compiler = ${v}`, `variants = ${v}`] }] });
      context.add("base-compiler", v, { depends: [`ocaml-compiler = ${v}`], classes: ["core-compiler"] });
      context.add("variants", v, { depends: [`ocaml-compiler = ${v}`], classes: ["core-compiler"] });
      context.add("ocaml-compiler", v, { depends: [`ocaml = ${v}`, "self >= 1"] });
    }
    context.add("self", "1", { depends: ["self"] });
    const result = solved(context.input(["app", "base-compiler"]));
    expect(ids(result)).toEqual(["app.1", "base-compiler.5", "ocaml.5", "ocaml-compiler.5", "self.1"]);
    expect(whyChains(result, "ocaml-compiler")).toEqual([["base-compiler", "ocaml-compiler"]]);
  });

  test("a 2,000-deep chain whose bottom rules out every newest version", () => {
    const context = memoryContext();
    const depth = 2000;
    for (let i = 0; i < depth; i++) {
      context.add(`p${i}`, "2", { depends: [`p${i + 1} >= 2`] }).add(`p${i}`, "1", { depends: [`p${i + 1}`] });
    }
    context.add(`p${depth}`, "1").reject(`p${depth}`, "2", { kind: "unavailable" });
    const result = solved(context.input(["p0"]));
    expect(result.selection.size).toBe(depth + 1);
    expect([...result.selection.values()].every((impl) => impl.version === "1")).toBe(true);
    expect(whyChains(result, `p${depth}`)[0]).toHaveLength(depth + 1);
  });

  test("deterministic: the same input gives the same selection and requirements", () => {
    const build = (): MemoryInput => {
      const context = memoryContext().add("a", "1", { depends: ["b", "c"] }).add("a", "2", { depends: ["b >= 2", "c"] });
      context.add("b", "1").add("b", "2", { conflicts: ["c = 3"] }).add("c", "2").add("c", "3");
      return context.input(["a"]);
    };
    const first = solved(build());
    const second = solved(build());
    expect(ids(first)).toEqual(["a.2", "b.2", "c.2"]);
    expect(ids(second)).toEqual(ids(first));
    expect([...second.requiredBy]).toEqual([...first.requiredBy]);
  });
});

test("the benchmark's synthetic 500-package universe: valid, deterministic, with backtracking", () => {
  const first = solve(syntheticProblem(LARGE));
  const second = solve(syntheticProblem(LARGE));
  if (!first.ok || !second.ok) throw new Error("expected a solution");
  expect(checkSelection(syntheticProblem(LARGE), first.selection)).toEqual([]);
  expect(ids(second)).toEqual(ids(first));
  expect(first.stats.implementations).toBeGreaterThan(3500);
  expect(first.stats.literals).toBeGreaterThan(35_000);
  expect(first.stats.conflicts).toBeGreaterThan(10);
});

describe("problem construction", () => {
  test("packages mentioned only in conflicts are never expanded", () => {
    const context = memoryContext().add("a", "1", { conflicts: ["big >= 2"] });
    context.add("big", "2", { depends: ["huge"] }).add("huge", "1");
    const input = context.input(["a"]);
    const result = solve(input);
    expect(input.queried).toEqual(["a"]);
    expect(ids(result)).toEqual(["a.1"]);
  });

  test("a version with a dependency nothing satisfies reaches nothing else", () => {
    const context = memoryContext().add("ocaml", "4.14").add("a", "1", { depends: ["ocaml", "small"] });
    context.add("a", "2", { depends: ["ocaml < 4.08", "big"] }).add("a", "3", { depends: [{ any: ["ocaml < 4", "other"] }] });
    context.add("small", "1").add("big", "1", { depends: ["huge"] }).add("huge", "1").add("other", "1", { depends: ["ocaml >= 5"] });
    const input = context.input(["a"]);
    const result = solve(input);
    expect(input.queried).not.toContain("big");
    expect(input.queried).not.toContain("huge");
    expect(ids(result)).toEqual(["a.1", "ocaml.4.14", "small.1"]);
  });

  test("a version no dependency accepts is never expanded", () => {
    const context = memoryContext().add("app", "1", { depends: ["a >= 2"] }).add("a", "1", { depends: ["big"] }).add("a", "2", { depends: ["small"] });
    context.add("a", "3", { depends: ["other"] }).add("other", "1", { depends: ["a = 3", "ocaml >= 5"] }).add("ocaml", "4.14");
    context.add("big", "1", { depends: ["huge"] }).add("small", "1").add("huge", "1");
    const input = context.input(["app"]);
    const result = solve(input);
    expect(input.queried).toEqual(["app", "a", "other", "small", "ocaml"]);
    expect(ids(result)).toEqual(["a.2", "app.1", "small.1"]);
  });

  test("a failing solve is still explained with every version's dependencies", () => {
    const context = memoryContext().add("ocaml", "4.14").add("a", "1", { depends: ["ocaml < 4.08", "big"] }).add("big", "1");
    const input = context.input(["a"]);
    const result = solve(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.diagnostics.problems.map((p) => [p.name, p.restrictions.map((r) => r.constraint)])).toEqual([["ocaml", ["< 4.08"]]]);
    expect(input.queried).toContain("big");
  });

  test("a conflict on a package reached another way still applies", () => {
    const context = memoryContext().add("a", "1", { conflicts: ["big >= 2"], depends: ["user"] });
    context.add("user", "1", { depends: ["big"] }).add("big", "1").add("big", "2");
    expect(ids(solved(context.input(["a"])))).toEqual(["a.1", "big.1", "user.1"]);
  });

  test("requiredBy and whyChains report who needs what", () => {
    const context = memoryContext().add("app", "1", { depends: ["a", "b >= 1"] });
    context.add("a", "1", { depends: ["c"] }).add("b", "1", { depends: ["c >= 1"] }).add("c", "1");
    const result = solved(context.input(["app"]));
    expect(result.requiredBy.get("c")).toEqual([
      { by: "a", byVersion: "1", constraint: "" },
      { by: "b", byVersion: "1", constraint: ">= 1" },
    ]);
    expect(whyChains(result, "c")).toEqual([["app", "a", "c"], ["app", "b", "c"]]);
    expect(whyChains(result, "app")).toEqual([["app"]]);
    expect(whyChains(result, "absent")).toEqual([]);
  });

  test("a root predicate without constraint text is applied, not confused with a plain need", () => {
    const base = memoryContext().add("b", "1").add("b", "2").input([]);
    const input = { ...base, roots: [{ name: "b" }, { name: "b", accepts: (v: string) => v === "1" }] };
    expect(ids(solve(input))).toEqual(["b.1"]);
  });

  test("an unknown root package makes the solve fail with diagnostics", () => {
    const result = solve(memoryContext().input(["nope"]));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.diagnostics.problems.map((p) => [p.name, p.knownVersions])).toEqual([["nope", 0]]);
  });
});
