// Unit tests of package formulas on hand-built ASTs: parsing shapes and errors, negation,
// opam's filter_deps partial evaluation (neutral Empty), version checks, names, printing.
import { describe, expect, it } from "vitest";
import type { Pos, RelOp, Value } from "./ast.js";
import { dependencyFlagsEnv, globalEnv, mergeEnvs, packageEnv, type Env } from "./env.js";
import {
  and,
  atom,
  EMPTY,
  filterDependencies,
  formatPackageFormula,
  formatVersionFormula,
  formulaAtoms,
  formulaNames,
  or,
  parseConflictClass,
  parseDepends,
  parseDisjunction,
  removeNames,
  versionSatisfies,
  type ConstraintItem,
  type Formula,
  type PackageFormula,
  type VersionFormula,
} from "./formula.js";

let line = 1;
const at = (): Pos => ({ line: line++, col: 3 });
const s = (value: string): Value => ({ kind: "string", value, pos: at() });
const id = (name: string): Value => ({ kind: "ident", name, pos: at() });
const c = (op: RelOp, arg: Value | string): Value => ({ kind: "prefixRelop", op, arg: typeof arg === "string" ? s(arg) : arg, pos: at() });
const rel = (left: Value, op: RelOp, right: Value | string): Value => ({ kind: "relop", op, left, right: typeof right === "string" ? s(right) : right, pos: at() });
const amp = (left: Value, right: Value): Value => ({ kind: "logop", op: "&", left, right, pos: at() });
const bar = (left: Value, right: Value): Value => ({ kind: "logop", op: "|", left, right, pos: at() });
const not = (arg: Value): Value => ({ kind: "pfxop", op: "!", arg, pos: at() });
const def = (arg: Value): Value => ({ kind: "pfxop", op: "?", arg, pos: at() });
const grp = (...items: Value[]): Value => ({ kind: "group", items, pos: at() });
const lst = (...items: Value[]): Value => ({ kind: "list", items, pos: at() });
const pkg = (name: string, ...options: Value[]): Value => (options.length === 0 ? s(name) : { kind: "option", value: s(name), options, pos: at() });

const ctx = { file: "packages/x/x.1/opam", field: "depends" };
const flags = { build: true, post: true, withTest: false, withDoc: false, withDevSetup: false, dev: false };
const linux: Env = mergeEnvs(
  globalEnv({ os: "linux", arch: "x86_64", "os-family": "debian", "os-distribution": "debian", "os-version": "12" }),
  dependencyFlagsEnv(flags),
  packageEnv("x", "1.2.0"),
);
const win: Env = mergeEnvs(globalEnv({ os: "win32", arch: "x86_64" }), dependencyFlagsEnv(flags));
const v = (op: RelOp, version: string): VersionFormula => atom({ op, version });
const p = (name: string, versions: VersionFormula = EMPTY): PackageFormula => atom({ name, versions });

describe("parsing", () => {
  it("reads the top-level list of depends as AND, constraints inside braces as AND", () => {
    const f = parseDepends(lst(pkg("a"), pkg("b", c(">=", "1.0"), c("<", "2.0"))), ctx);
    expect(f.kind).toBe("and");
    expect(formulaAtoms(f).map((a) => a.name)).toEqual(["a", "b"]);
    expect(filterDependencies(f, linux)).toEqual(and(p("a"), p("b", and(v(">=", "1.0"), v("<", "2.0")))));
  });
  it("accepts a bare single element", () => {
    expect(filterDependencies(parseDepends(pkg("dune", c(">=", "3.0")), ctx), linux)).toEqual(p("dune", v(">=", "3.0")));
  });
  it("mixes constraints and filters: {>= \"1.0\" & with-test}", () => {
    const f = parseDepends(lst(pkg("alcotest", amp(c(">=", "1.0"), id("with-test")))), ctx);
    const a = formulaAtoms(f)[0]!;
    const expected: Formula<ConstraintItem> = and<ConstraintItem>(
      atom({ kind: "constraint", op: ">=", version: { kind: "string", value: "1.0" } }),
      atom({ kind: "filter", filter: { kind: "ident", scopes: [], variable: "with-test" } }),
    );
    expect(a.constraint).toEqual(expected);
    expect(filterDependencies(f, linux)).toEqual(EMPTY);
    expect(filterDependencies(f, mergeEnvs(dependencyFlagsEnv({ ...flags, withTest: true })))).toEqual(p("alcotest", v(">=", "1.0")));
  });
  it("keeps a constraint | filter disjunction: {>= \"5.0.0~\" | os = \"win32\"}", () => {
    const f = parseDepends(pkg("ocaml-base-compiler", bar(c(">=", "5.0.0~"), rel(id("os"), "=", "win32"))), ctx);
    expect(filterDependencies(f, linux)).toEqual(p("ocaml-base-compiler", v(">=", "5.0.0~")));
    expect(filterDependencies(f, win)).toEqual(p("ocaml-base-compiler"));
  });
  it("pushes ! down to the atoms", () => {
    const f = parseDepends(pkg("a", not(grp(amp(c(">=", "1.0"), id("with-test"))))), ctx);
    // !(>= 1.0 & with-test) = < 1.0 | !with-test; with-test is false, so the atom is unconstrained.
    expect(filterDependencies(f, linux)).toEqual(p("a"));
    expect(filterDependencies(f, dependencyFlagsEnv({ ...flags, withTest: true }))).toEqual(p("a", v("<", "1.0")));
    expect(filterDependencies(parseDepends(pkg("b", not(c("=", "2"))), ctx), linux)).toEqual(p("b", v("!=", "2")));
    expect(filterDependencies(parseDepends(pkg("b", not(c(">", "2"))), ctx), linux)).toEqual(p("b", v("<=", "2")));
  });
  it("collapses groups: ( … ) joins like the list, & and | are explicit", () => {
    const f = parseDepends(lst(pkg("a"), grp(pkg("b"), pkg("c")), bar(pkg("d"), pkg("e"))), ctx);
    expect(filterDependencies(f, linux)).toEqual(and(p("a"), p("b"), p("c"), or(p("d"), p("e"))));
  });
  it("conflicts and depopts are flat disjunctions (& rewritten to |)", () => {
    const f = parseDisjunction(lst(pkg("a", c("<", "1")), amp(pkg("b"), pkg("c")), grp(pkg("d"), pkg("e"))), { ...ctx, field: "conflicts" });
    expect(filterDependencies(f, linux)).toEqual(or(p("a", v("<", "1")), p("b"), p("c"), p("d"), p("e")));
    expect(parseDisjunction(s("relocatable"), ctx)).toEqual(atom(expect.objectContaining({ name: "relocatable" })));
  });
  it("reads conflict-class lists", () => {
    expect(parseConflictClass(s("ocaml-core-compiler"), ctx)).toEqual(["ocaml-core-compiler"]);
    expect(parseConflictClass(lst(s("a"), s("b")), ctx)).toEqual(["a", "b"]);
    expect(() => parseConflictClass(lst(id("a")), { ...ctx, field: "conflict-class" })).toThrow(/conflict-class: expected a conflict class name string/);
  });
  it("rejects bad shapes with file:line:col and the field", () => {
    line = 40;
    expect(() => parseDepends(lst(pkg("a"), { kind: "option", value: grp(bar(pkg("a"), pkg("b"))), options: [id("build")], pos: at() }), ctx)).toThrow(
      /^packages\/x\/x\.1\/opam:\d+:3: depends: expected a package name string, found a group/,
    );
    expect(() => parseDepends(lst({ kind: "int", value: 1, raw: "1", pos: { line: 7, col: 9 } }), ctx)).toThrow(
      'packages/x/x.1/opam:7:9: depends: expected "package" {constraints}, a group or & / |, found a int',
    );
    expect(() => parseDepends(pkg("a", c(">=", { kind: "int", value: 1, raw: "1", pos: { line: 2, col: 5 } })), ctx)).toThrow(
      "packages/x/x.1/opam:2:5: depends: expected a version string or variable after the operator",
    );
    expect(() => parseDepends(pkg("a", c(">=", "1 0")), ctx)).toThrow(/invalid version string "1 0"/);
    expect(() => parseDepends(s("a.b"), ctx)).toThrow(/invalid package name "a.b"/);
    expect(() => parseDepends(pkg("a", lst(id("x"))), ctx)).toThrow(/expected a filter expression, found a list/);
  });
  it("accepts interpolated version strings and checks them with variables as -", () => {
    expect(() => parseDepends(pkg("a", c("=", "%{version}%")), ctx)).not.toThrow();
    expect(() => parseDepends(pkg("a", c("=", "%{version}% ")), ctx)).toThrow(/invalid version string/);
  });
});

describe("filterDependencies (opam's filter_deps)", () => {
  it("removes false atoms with the neutral Empty rule", () => {
    const f = parseDepends(lst(bar(pkg("a", rel(id("os"), "=", "win32")), pkg("b"))), ctx);
    expect(filterDependencies(f, linux)).toEqual(p("b"));
    expect(filterDependencies(f, win)).toEqual(or(p("a"), p("b")));
  });
  it("turns undefined filters into false", () => {
    const f = parseDepends(
      lst(pkg("conf-x", amp(amp(def(id("sys-ocaml-arch")), rel(id("sys-ocaml-arch"), "=", "x86_64")), id("post"))), pkg("y", rel(id("nope"), "!=", "z"))),
      ctx,
    );
    expect(filterDependencies(f, linux)).toEqual(EMPTY);
    expect(filterDependencies(f, mergeEnvs(globalEnv({ "sys-ocaml-arch": "x86_64", nope: "q" }), linux))).toEqual(and(p("conf-x"), p("y")));
  });
  it("evaluates = version and interpolated versions, dropping undefined or invalid ones", () => {
    const f = parseDepends(lst(pkg("a", c("=", id("version"))), pkg("b", c(">=", "%{version}%")), pkg("c", c("=", "%{nope}%")), pkg("d", c("=", id("nope:version")), c("<", "3"))), ctx);
    expect(filterDependencies(f, linux)).toEqual(and(p("a", v("=", "1.2.0")), p("b", v(">=", "1.2.0")), p("c"), p("d", v("<", "3"))));
  });
  it("degrades the ocaml-compiler Windows branch on Linux into a live alternative", () => {
    const win32 = rel(id("os"), "=", "win32");
    const mingwOrMsvc = grp(bar(pkg("system-mingw"), grp(amp(amp(pkg("system-msvc"), pkg("winpthreads")), pkg("ocaml-option-no-compression", win32)))));
    const depends = lst(
      pkg("ocaml", amp(c("=", "5.4.0"), id("post"))),
      grp(
        bar(
          bar(
            grp(amp(pkg("arch-x86_64", amp(win32, rel(id("arch"), "=", "x86_64"))), mingwOrMsvc)),
            grp(amp(amp(pkg("arch-x86_32", win32), pkg("ocaml-option-bytecode-only", win32)), mingwOrMsvc)),
          ),
          pkg("base-unix", amp(rel(id("os"), "!=", "win32"), id("post"))),
        ),
      ),
      pkg("flexdll", amp(c(">=", "0.42"), win32)),
    );
    const f = filterDependencies(parseDepends(depends, ctx), linux);
    const degraded = or(p("system-mingw"), and(p("system-msvc"), p("winpthreads")));
    expect(f).toEqual(and(p("ocaml", v("=", "5.4.0")), or(degraded, degraded, p("base-unix"))));
    expect(formatPackageFormula(f)).toBe("ocaml (= 5.4.0) & (system-mingw | system-msvc & winpthreads | system-mingw | system-msvc & winpthreads | base-unix)");
  });
});

describe("helpers", () => {
  it("versionSatisfies uses version order; empty is any", () => {
    const range = and(v(">=", "5.4.0~"), v("<", "5.4.1~"));
    expect(["5.4.0~alpha1", "5.4.0", "5.4.00", "5.4.0+options"].map((x) => versionSatisfies(x, range))).toEqual([true, true, true, true]);
    // 5.4.1~rc1 sorts after 5.4.1~ (the bare ~ is the smallest 5.4.1 pre-release).
    expect(["5.3.9", "5.4.1", "5.4.1~", "5.4.1~rc1"].map((x) => versionSatisfies(x, range))).toEqual([false, false, false, false]);
    expect(versionSatisfies("7", EMPTY)).toBe(true);
    expect(versionSatisfies("1.01", v("=", "1.1"))).toBe(true);
    expect(versionSatisfies("3", or(v("<", "1"), v(">=", "2")))).toBe(true);
  });
  it("formulaNames sees filtered-out branches too", () => {
    const f = parseDepends(lst(pkg("a"), bar(pkg("dune", id("with-test")), pkg("jbuilder", rel(id("os"), "=", "win32")))), ctx);
    expect([...formulaNames(f)]).toEqual(["a", "dune", "jbuilder"]);
    expect([...formulaNames(filterDependencies(f, linux))]).toEqual(["a"]);
  });
  it("removeNames drops atoms and simplifies", () => {
    const f = and(p("a"), or(p("b"), p("c")), p("d"));
    expect(removeNames(f, new Set(["b"]))).toEqual(and(p("a"), p("c"), p("d")));
    expect(removeNames(f, new Set(["b", "c", "d"]))).toEqual(p("a"));
    expect(removeNames(f, new Set(["a", "b", "c", "d"]))).toEqual(EMPTY);
  });
  it("formats version formulas opam style", () => {
    expect(formatVersionFormula(and(v(">=", "1.0"), v("<", "2.0")))).toBe(">= 1.0 & < 2.0");
    expect(formatVersionFormula(or(v("<", "1"), v(">=", "2")))).toBe("< 1 | >= 2");
    expect(formatVersionFormula(and(v(">=", "1"), or(v("<", "2"), v(">", "3"))))).toBe(">= 1 & (< 2 | > 3)");
    expect(formatVersionFormula(EMPTY)).toBe("");
  });
  it("and/or flatten, drop empties and collapse singletons", () => {
    expect(and(EMPTY, p("a"))).toEqual(p("a"));
    expect(or(EMPTY, EMPTY)).toEqual(EMPTY);
    expect(and(and(p("a"), p("b")), p("c"))).toEqual({ kind: "and", items: [p("a"), p("b"), p("c")] });
  });
});
