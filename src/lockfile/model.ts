// The lock file as data (format 0.3), separate from its opam-syntax encoding (encode.ts,
// decode.ts). Every list here is kept sorted by the encoder; the model itself is plain data.
import type { Value } from "../opam/ast.js";
import type { DuniverseRepo } from "../duniverse/plan.js";

export interface LockedDependency {
  name: string;
  version: string;
  /** `{= "v" & ?vendor}`: the package is vendored into duniverse/. */
  vendored: boolean;
}

export interface LockedDepext {
  /** System package names, e.g. `["libgmp-dev"]`. */
  packages: string[];
  /** The opam filter, unevaluated, e.g. `os-family = "debian"`; undefined = always. */
  filter: Value | undefined;
}

export interface PinDepend {
  /** `name.version` */
  id: string;
  url: string;
}

/** A global opam variable value as the lock file stores it. */
export type GlobalVarValue = boolean | string | string[];

export interface Lockfile {
  /** `x-opam-monorepo-version`, `"0.3"` for files we write. */
  version: string;
  /** `x-opam-monorepo-root-packages` (sorted bytewise). */
  rootPackages: string[];
  depends: LockedDependency[];
  depexts: LockedDepext[];
  pinDepends: PinDepend[];
  /** Duniverse repositories: `x-opam-monorepo-duniverse-dirs` joined with `pin-depends`. */
  repos: DuniverseRepo[];
  /** `x-opam-monorepo-cli-args`: argv after `lock`, verbatim; undefined when none. */
  cliArgs: string[] | undefined;
  globalOpamVars: Map<string, GlobalVarValue> | undefined;
  opamProvided: string[] | undefined;
  /** Repository URLs actually used (explicit mode), `$OPAM_MONOREPO_CWD` already rewritten. */
  opamRepositories: string[] | undefined;
}

/** The locked version of `ocaml`, which `pull` compares with the installed compiler. */
export function lockedOcamlVersion(lockfile: Lockfile): string | undefined {
  return lockfile.depends.find((dependency) => dependency.name === "ocaml")?.version;
}
