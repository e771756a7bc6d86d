// Depext selection on real filter shapes from opam-repository (conf-gmp, conf-pkg-config…), with
// the real opam filter evaluator and with injected ones; undefined filters and variables are true.
import { describe, expect, it } from "vitest";
import { UserError } from "../core/errors.js";
import type { LockedDepext } from "../lockfile/model.js";
import { ident, list, str, NO_POS, type LogOp, type RelOp, type Value } from "../opam/ast.js";
import { globalEnv, mergeEnvs, opamVarOverrides } from "../opam/env.js";
import { depextFilterEvaluator, selectDepexts } from "./select.js";

const rel = (name: string, op: RelOp, value: string): Value => ({ kind: "relop", op, left: ident(name), right: str(value), pos: NO_POS });
const eq = (name: string, value: string) => rel(name, "=", value);
const log = (op: LogOp, left: Value, right: Value): Value => ({ kind: "logop", op, left, right, pos: NO_POS });
const and = (left: Value, right: Value) => log("&", left, right);
const or = (left: Value, right: Value) => log("|", left, right);
const depext = (packages: string[], filter?: Value): LockedDepext => ({ packages, filter });

/** conf-gmp and conf-pkg-config's depexts, as the lock file carries them. */
const LOCKED: LockedDepext[] = [
  depext(["libgmp-dev"], eq("os-family", "debian")),
  depext(["gmp"], and(eq("os", "macos"), eq("os-distribution", "homebrew"))),
  depext(["gmp-devel"], or(eq("os-distribution", "centos"), eq("os-distribution", "fedora"))),
  depext(["gmp-dev"], eq("os-distribution", "alpine")),
  depext(["pkg-config"], or(eq("os-family", "debian"), eq("os-family", "ubuntu"))),
  depext(["pkgconf-pkg-config"], eq("os-distribution", "fedora")),
  depext(["pkgconfig"], and(eq("os-distribution", "centos"), rel("os-version", "<=", "7"))),
  depext(["pkgconf-pkg-config"], and(eq("os-distribution", "centos"), rel("os-version", ">=", "8"))),
];

function on(variables: Record<string, string>): string[] {
  return selectDepexts(LOCKED, depextFilterEvaluator(globalEnv(variables), "x.opam.locked"));
}

describe("selectDepexts with the opam filter evaluator", () => {
  it("picks the Debian packages on Debian and Ubuntu", () => {
    expect(on({ os: "linux", "os-family": "debian", "os-distribution": "debian", "os-version": "12" })).toEqual(["libgmp-dev", "pkg-config"]);
    expect(on({ os: "linux", "os-family": "debian", "os-distribution": "ubuntu", "os-version": "24.04" })).toEqual(["libgmp-dev", "pkg-config"]);
  });
  it("compares os-version with opam's version order (CentOS 7 vs 8 vs 10)", () => {
    const centos = (version: string) => on({ os: "linux", "os-family": "rhel", "os-distribution": "centos", "os-version": version });
    expect(centos("7")).toEqual(["gmp-devel", "pkgconfig"]);
    expect(centos("8")).toEqual(["gmp-devel", "pkgconf-pkg-config"]);
    expect(centos("10")).toEqual(["gmp-devel", "pkgconf-pkg-config"]);
  });
  it("takes the union without duplicates, sorted", () => {
    expect(on({ os: "linux", "os-family": "fedora", "os-distribution": "fedora", "os-version": "40" })).toEqual(["gmp-devel", "pkgconf-pkg-config"]);
    expect(on({ os: "macos", "os-family": "homebrew", "os-distribution": "homebrew" })).toEqual(["gmp"]);
  });
  it("counts a filter on an undefined variable as true (opam's eval_to_bool ~default:true)", () => {
    // Nothing is known about this host: every filter is undecidable, so every package is selected.
    expect(on({})).toEqual(["gmp", "gmp-dev", "gmp-devel", "libgmp-dev", "pkg-config", "pkgconf-pkg-config", "pkgconfig"]);
    const partly = [depext(["a"], and(eq("os-family", "debian"), eq("undefined-var", "x"))), depext(["b"], eq("os-family", "alpine"))];
    expect(selectDepexts(partly, depextFilterEvaluator(globalEnv({ "os-family": "debian" }), "f"))).toEqual(["a"]);
  });
  it("keeps depexts without a filter", () => {
    expect(selectDepexts([depext(["always"]), depext(["never"], eq("os", "none"))], depextFilterEvaluator(globalEnv({ os: "linux" }), "f"))).toEqual(["always"]);
  });
  it("honours OPAMVAR_* overrides when the caller merges them in", () => {
    const env = mergeEnvs(opamVarOverrides({ OPAMVAR_os_distribution: "alpine" }), globalEnv({ "os-distribution": "debian", "os-family": "debian" }));
    expect(selectDepexts(LOCKED, depextFilterEvaluator(env, "f"))).toEqual(["gmp-dev", "libgmp-dev", "pkg-config"]);
  });
  it("reports a malformed filter with the lock file name", () => {
    const bad = [depext(["x"], list([str("not a filter")]))];
    const run = () => selectDepexts(bad, depextFilterEvaluator(globalEnv({}), "mirage/x.opam.locked"));
    expect(run).toThrow(UserError);
    expect(run).toThrow(/mirage\/x\.opam\.locked.*depexts/);
  });
});

describe("selectDepexts with an injected evaluator", () => {
  it("treats undefined from the evaluator as true and false as excluded", () => {
    const answers = new Map<string, boolean | undefined>([["yes", true], ["no", false], ["unknown", undefined]]);
    const evaluate = (filter: Value) => answers.get(filter.kind === "ident" ? filter.name : "");
    const depexts = [depext(["p-yes"], ident("yes")), depext(["p-no"], ident("no")), depext(["p-unknown"], ident("unknown"))];
    expect(selectDepexts(depexts, evaluate)).toEqual(["p-unknown", "p-yes"]);
  });
  it("does not call the evaluator for depexts without a filter", () => {
    let calls = 0;
    expect(selectDepexts([depext(["b", "a", "b"])], () => (calls++, false))).toEqual(["a", "b"]);
    expect(calls).toBe(0);
  });
});
