// Why the solver context kept a version of a package away from the solver: a tagged union with
// one human phrase per kind. Pure data; the context decides, the solver and explain.ts only report.

export type Rejection =
  /** `available:` evaluated to false or undefined for the platform. */
  | { kind: "unavailable" }
  /** A user constraint (`--ocaml-version`, the second solve's pins) excludes this version. */
  | { kind: "user-constraint"; constraint: string }
  /** Neither `depends` nor `depopts` mention dune (and the package is not "safe"). */
  | { kind: "not-dune" }
  /** `--require-cross-compile` is in effect and the version lacks the `cross-compile` tag. */
  | { kind: "no-cross-compile" }
  /** The same version comes from a repository earlier in the stack (e.g. an overlay). */
  | { kind: "shadowed"; by: string };

/** The phrase printed after the version in "Rejected candidates" lists (opam-monorepo wording). */
export function describeRejection(rejection: Rejection): string {
  switch (rejection.kind) {
    case "unavailable":
      return "Availability condition not satisfied";
    case "user-constraint":
      return `Rejected by user-specified constraint ${rejection.constraint}`;
    case "not-dune":
      return "Doesn't build with dune";
    case "no-cross-compile":
      return "Does not cross compile";
    case "shadowed":
      return `Shadowed by the same version in ${rejection.by}`;
  }
}
