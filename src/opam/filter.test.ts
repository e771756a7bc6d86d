// Unit tests of opam filters on hand-built ASTs: three-valued logic, relops in version order,
// package-scoped idents, interpolation, error positions, printing back.
import { describe, expect, it } from "vitest";
import { UserError } from "../core/errors.js";
import { ident, str, type Pos, type RelOp, type Value } from "./ast.js";
import { dependencyFlagsEnv, globalEnv, mergeEnvs, packageEnv, type Env, type EnvValue } from "./env.js";
import {
  evalFilter,
  expandString,
  filterFromValue,
  filterFromValues,
  filterHolds,
  filterToValue,
  filterVariables,
  formatFilter,
  parseFilterIdent,
  type Filter,
} from "./filter.js";

const P: Pos = { line: 3, col: 7 };
const ctx = { file: "pkg.opam", field: "available" };
const rel = (left: Value, op: RelOp, right: Value): Value => ({ kind: "relop", op, left, right, pos: P });
const and = (left: Value, right: Value): Value => ({ kind: "logop", op: "&", left, right, pos: P });
const or = (left: Value, right: Value): Value => ({ kind: "logop", op: "|", left, right, pos: P });
const not = (arg: Value): Value => ({ kind: "pfxop", op: "!", arg, pos: P });
const defined = (arg: Value): Value => ({ kind: "pfxop", op: "?", arg, pos: P });
const bool = (value: boolean): Value => ({ kind: "bool", value, pos: P });

function vars(map: Record<string, EnvValue>): Env {
  return (variable, scope) => map[scope === undefined ? variable : `${scope}:${variable}`];
}
const linux = globalEnv({ os: "linux", arch: "x86_64", "os-family": "debian", "os-distribution": "debian", "os-version": "12" });
const evalV = (v: Value, env: Env = linux) => evalFilter(filterFromValue(v, ctx), env);

describe("three-valued logic", () => {
  const u = ident("nope");
  it("false absorbs &, true absorbs |, undefined propagates otherwise", () => {
    expect(evalV(and(u, bool(false)))).toBe(false);
    expect(evalV(and(bool(false), u))).toBe(false);
    expect(evalV(and(u, bool(true)))).toBeUndefined();
    expect(evalV(or(u, bool(true)))).toBe(true);
    expect(evalV(or(bool(false), u))).toBeUndefined();
    expect(evalV(or(u, u))).toBeUndefined();
  });
  it("! keeps undefined, ? tests definedness", () => {
    expect(evalV(not(u))).toBeUndefined();
    expect(evalV(not(rel(ident("os"), "=", str("linux"))))).toBe(false);
    expect(evalV(defined(u))).toBe(false);
    expect(evalV(defined(ident("arch")))).toBe(true);
  });
  it("strings true/false are booleans in logic, other strings make it undefined", () => {
    expect(evalV(and(str("true"), bool(true)))).toBe(true);
    expect(evalV(not(str("false")))).toBe(true);
    expect(evalV(and(str("linux"), bool(true)))).toBeUndefined();
    // Only a real boolean absorbs: undefined & "false" stays undefined (opam's logop2).
    expect(evalV(and(u, str("false")))).toBeUndefined();
  });
  it("relops are undefined if a side is undefined, else compare in version order", () => {
    expect(evalV(rel(u, "!=", str("win32")))).toBeUndefined();
    expect(evalV(rel(ident("os"), "!=", str("win32")))).toBe(true);
    expect(evalV(rel(ident("os-version"), ">=", str("9")))).toBe(true); // 12 > 9 numerically
    expect(evalV(rel(str("1.01"), "=", str("1.1")))).toBe(true);
    expect(evalV(rel(ident("jobs"), ">", str("1")), globalEnv({ jobs: "12" }))).toBe(true);
    expect(evalV(rel(bool(true), "=", str("true")))).toBe(true);
  });
  it("filterHolds: no filter is true, undefined and non-boolean are false", () => {
    expect(filterHolds(undefined, linux)).toBe(true);
    expect(filterHolds(filterFromValue(u, ctx), linux)).toBe(false);
    expect(filterHolds(filterFromValue(str("linux"), ctx), linux)).toBe(false);
    expect(filterHolds(filterFromValue(str("true"), ctx), linux)).toBe(true);
  });
});

describe("idents", () => {
  it("parses scopes, self and converters", () => {
    expect(parseFilterIdent("os")).toEqual({ scopes: [], variable: "os" });
    expect(parseFilterIdent("ocaml:version")).toEqual({ scopes: ["ocaml"], variable: "version" });
    expect(parseFilterIdent("_:doc")).toEqual({ scopes: ["_"], variable: "doc" });
    expect(parseFilterIdent("lwt+cohttp+ssl:enable")).toEqual({ scopes: ["lwt", "cohttp", "ssl"], variable: "enable" });
    expect(parseFilterIdent("with-test?yes:no")).toEqual({ scopes: [], variable: "with-test", converter: { ifTrue: "yes", ifFalse: "no" } });
    expect(parseFilterIdent("ocaml:native?--native:")).toEqual({ scopes: ["ocaml"], variable: "native", converter: { ifTrue: "--native", ifFalse: "" } });
    expect(parseFilterIdent("a b:c")).toBeUndefined();
  });
  const env = vars({ "ocaml:version": "5.4.0", "lwt:installed": true, "ssl:installed": false, "x:installed": "true", "_:doc": "/d", paths: ["a", "b"] });
  it("resolves package scopes, conjunctions and enable", () => {
    expect(evalV(ident("ocaml:version"), env)).toBe("5.4.0");
    expect(evalV(ident("_:doc"), env)).toBe("/d");
    expect(evalV(ident("lwt+x:installed"), env)).toBe(true);
    expect(evalV(ident("lwt+ssl:installed"), env)).toBe(false);
    expect(evalV(ident("lwt+nope:installed"), env)).toBeUndefined();
    expect(evalV(ident("nope+ssl:installed"), env)).toBe(false);
    expect(evalV(ident("lwt:enable"), env)).toBe("enable");
    expect(evalV(ident("ssl:enable"), env)).toBe("disable");
    expect(evalV(ident("nope:enable"), env)).toBe("disable"); // full evaluation: undefined → else branch
    expect(evalV(ident("lwt+ssl:enable"), env)).toBe("disable");
    expect(evalV(ident("paths"), env)).toBe("a b");
  });
  it("answers name/version from packageEnv in all three spellings", () => {
    const pkg = packageEnv("foo", "1.2");
    expect([evalV(ident("version"), pkg), evalV(ident("_:name"), pkg), evalV(ident("foo:version"), pkg), evalV(ident("bar:version"), pkg)]).toEqual([
      "1.2",
      "foo",
      "1.2",
      undefined,
    ]);
  });
});

describe("interpolation", () => {
  const env = mergeEnvs(vars({ prefix: "/p", "ocaml:native": true, name: "foo" }), dependencyFlagsEnv({ build: true, post: false, withTest: false, withDoc: false, withDevSetup: false, dev: false }));
  it("expands variables, converters and %%", () => {
    expect(expandString("%{prefix}%/lib/%{name}%", env)).toBe("/p/lib/foo");
    expect(expandString("%{ocaml:native?native:byte}%", env)).toBe("native");
    expect(expandString("%{nope?yes:no}%", env)).toBe("no");
    expect(expandString("%{build}%-%{with-test}%", env)).toBe("true-false");
    expect(expandString("100%% %{nope}%!", env)).toBe("100% !");
    expect(expandString("no vars", env)).toBe("no vars");
    expect(expandString("50% off%", env)).toBe("50% off%");
  });
  it("leaves an unclosed %{ literal up to the end of its line", () => {
    expect(expandString("a %{prefix %% b\n%%", env)).toBe("a %{prefix %% b\n%");
  });
  it("an invalid package name in an interpolation makes the string undefined", () => {
    expect(expandString("%{a b:c}%", env)).toBeUndefined();
  });
  it("strings in filters are interpolated before comparing", () => {
    expect(evalV(rel(str("%{prefix}%"), "=", str("/p")), env)).toBe(true);
    expect(evalV(rel(str("%{nope}%"), "=", str("")), env)).toBe(true);
  });
});

describe("building from the AST", () => {
  it("accepts ints as strings and single-element groups", () => {
    expect(filterFromValue({ kind: "int", value: 2, raw: "2", pos: P }, ctx)).toEqual({ kind: "string", value: "2" });
    expect(filterFromValue({ kind: "group", items: [ident("os")], pos: P }, ctx)).toEqual({ kind: "ident", scopes: [], variable: "os" });
  });
  it("rejects other shapes naming file, position and field", () => {
    expect(() => filterFromValue({ kind: "list", items: [], pos: P }, ctx)).toThrow("pkg.opam:3:7: available: expected a filter expression, found a list [ … ]");
    expect(() => filterFromValue({ kind: "group", items: [ident("a"), ident("b")], pos: P }, ctx)).toThrow(/pkg\.opam:3:7: available: expected a single filter/);
    expect(() => filterFromValues([ident("a"), { ...ident("b"), pos: { line: 4, col: 1 } }], ctx)).toThrow(/pkg\.opam:4:1/);
    const thrown = (() => {
      try {
        filterFromValue({ kind: "prefixRelop", op: ">=", arg: str("1"), pos: P }, ctx);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(UserError);
    expect((thrown as UserError).code).toBe("OPAM_FIELD");
  });
  it("filterFromValues: empty is true", () => {
    expect(filterFromValues([], ctx)).toEqual({ kind: "bool", value: true });
  });
});

describe("inspection and printing", () => {
  const f: Filter = filterFromValue(
    and(or(rel(ident("os"), "=", str("linux")), not(rel(ident("arch"), "=", str("arm32")))), defined(ident("sys-ocaml-arch"))),
    ctx,
  );
  it("lists variables", () => {
    expect([...filterVariables(f)].sort()).toEqual(["arch", "os", "sys-ocaml-arch"]);
    expect([...filterVariables(filterFromValue(str("%{a:b}%/%{c}%"), ctx))].sort()).toEqual(["a:b", "c"]);
  });
  it("formats like opam", () => {
    expect(formatFilter(f)).toBe('(os = "linux" | !(arch = "arm32")) & ?sys-ocaml-arch');
  });
  it("round-trips through filterToValue", () => {
    expect(filterFromValue(filterToValue(f), ctx)).toEqual(f);
  });
});
