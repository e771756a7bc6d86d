// Unit tests of the short failure text: constraint deduplication and cause lines.
import { describe, expect, it } from "vitest";
import { causeLine, causeText, simplifyConstraint } from "./failure-text.js";

describe("simplifyConstraint", () => {
  it("keeps the tightest bound per operator, drops repeats, keeps the first order", () => {
    expect(simplifyConstraint(">= 4.08 & >= 4.08.0 & >= 4.08")).toBe(">= 4.08.0");
    expect(simplifyConstraint("< 2.0 & >= 1.0 & >= 1.2 & < 5.6 & = 1.5 & = 1.5")).toBe("< 2.0 & >= 1.2 & = 1.5");
    expect(simplifyConstraint("(= 1 | = 2) & >= 0.5")).toBe("(= 1 | = 2) & >= 0.5");
  });
});

describe("causes", () => {
  const eio = { target: "cohttp-eio", steps: [{ name: "eio", constraint: ">= 1.0" }, { name: "ocaml", constraint: ">= 5.1.0", versions: { first: "1.5", last: "1.0", count: 6, of: 6 } }], end: "excluded by the requested ocaml = 4.14.2", testOnly: false, byUser: true };
  const http = { target: "http", steps: [{ name: "ppx_expect", constraint: ">= v0.17.0" }, { name: "ocaml", constraint: ">= 5.1.0", versions: { first: "v0.17.3", last: "v0.17.0", count: 4, of: 4 } }], end: "excluded by the requested ocaml = 4.14.2", testOnly: true, byUser: true };
  it("one line per cause, the shared end once in the first line", () => {
    expect(causeLine(eio)).toBe("cohttp-eio needs eio >= 1.0, which needs ocaml >= 5.1.0 (eio 1.0 to 1.5, 6 versions): excluded by the requested ocaml = 4.14.2");
    const text = causeText({ causes: [eio, http], unblocked: ["cohttp", "cohttp-lwt-unix"] }, { targets: ["cohttp", "cohttp-eio", "cohttp-lwt-unix", "http"], buildOnly: false, command: "opam monorepo" })!;
    expect(text.message.split("\n")[0]).toBe("No solution for 2 of the 4 local packages (cohttp-eio, http): direct dependencies have no usable version, excluded by the requested ocaml = 4.14.2:");
    expect(text.message).toContain("- http needs ppx_expect >= v0.17.0 (with-test), which needs ocaml >= 5.1.0 (ppx_expect v0.17.0 to v0.17.3, 4 versions)\n");
    expect(text.hints).toEqual([
      "only with-test dependencies are in the way of http: `--build-only` leaves them out",
      "lock fewer local packages: `opam monorepo lock cohttp cohttp-lwt-unix` (and a separate lock file with -l for the others)",
    ]);
  });
});
