// The differential corpus: real lock requests against the shared snapshots (../shared/data),
// each locked by the reference opam-monorepo 0.4.3 and by ours (compare.ts). `ci: true` marks the
// subset `npm test` runs; bench/differential.ts runs them all.
import path from "node:path";
import { hostVars, FIXED_VARS, type LockRequest } from "./compare.js";

const q = (name: string): string => `"${name}"`;

/** Popular packages locked one at a time (with dune, as a project would). */
const SINGLES = [
  "fmt", "lwt", "cmdliner", "yojson", "re", "astring", "logs", "uutf", "uri", "ppxlib", "sexplib", "base",
  "angstrom", "ANSITerminal", "cstruct", "digestif", "eqaf", "hex", "ipaddr", "macaddr", "domain-name", "ptime",
  "mtime", "rresult", "fpath", "bos", "stdlib-shims", "ocamlgraph", "menhir", "alcotest", "ppx_deriving",
  "ppx_sexp_conv", "uuidm", "base64", "csexp", "bigstringaf", "checkseum", "decompress", "tyxml", "containers",
  "qcheck", "ezjsonm", "jsonm", "xmlm", "ISO8601", "zarith", "mirage-crypto", "tls", "cohttp-lwt-unix", "dream",
];
const CI_SINGLES = new Set(["fmt", "ANSITerminal", "zarith"]);

const COMBINATIONS: string[][] = [
  ["fmt", "logs", "cmdliner"],
  ["lwt", "cohttp-lwt-unix", "yojson"],
  ["angstrom", "ANSITerminal", "menhirLib", "ISO8601", "SZXX", "OCADml"],
  ["irmin", "cohttp-lwt-unix", "ocaml-lsp-server"],
  ["core", "async"],
  ["dns-client", "tls", "x509"],
  ["ppx_deriving_yojson", "ppx_expect", "sexplib0"],
  ["caqti", "caqti-lwt", "caqti-driver-sqlite3"],
  ["opium", "tyxml", "ppx_yojson_conv"],
  ["js_of_ocaml", "js_of_ocaml-ppx", "brr"],
  ["gen", "iter", "seq", "sedlex"],
  ["ocamlformat-lib", "odoc"],
];

const MIRAGE_MONOREPO = ["cmdliner-stdlib", "duration", "lwt", "mirage-bootvar", "mirage-crypto-rng-mirage", "mirage-logs", "mirage-mtime", "mirage-ptime", "mirage-sleep", "tcpip"];

/** A mirage-generated opam file's depends: unikernel libraries under `?monorepo`, tools as build deps. */
function mirageDepends(extra: string[] = []): string[] {
  return [
    ...[...MIRAGE_MONOREPO, ...extra].map((name) => `${q(name)} { ?monorepo }`),
    '"mirage-runtime" { ?monorepo & >= "4.5.0" & < "4.12.0" }',
    '"mirage-solo5" { ?monorepo & >= "0.10.0" & < "0.11.0" }',
    '"ocaml-solo5" { build & >= "0.8.1" & < "2.0.0" }',
    '"solo5" { build & >= "0.7.5" & < "0.13.0" }',
  ];
}
const MIRAGE_PROVIDED = 'x-opam-monorepo-opam-provided: ["mirage" "ocaml-solo5" "opam-monorepo" "solo5"]';
const MONOREPO_ENV = { OPAMVAR_monorepo: "opam-monorepo" };
const ALL_REPOS = ["mirage", "overlays", "repository"] as const;

/** S2: the reference ignores OPAMVAR_* with explicit repositories; given as a global variable it counts. */
const S2 = {
  id: "S2" as const,
  neutralise: (request: LockRequest): LockRequest => ({ ...request, env: {}, vars: { ...FIXED_VARS, monorepo: "opam-monorepo" } }),
  strip: ["x-opam-monorepo-global-opam-vars"],
};

/** S1: the reference leaves opam-version undefined with explicit repositories; given as a global variable, it is defined. */
const S1 = {
  id: "S1" as const,
  neutralise: async (request: LockRequest): Promise<LockRequest> => ({ ...request, vars: await hostVars() }),
  strip: ["x-opam-monorepo-global-opam-vars"],
};

/** S6: `-l` into a missing directory; with the directory there, the reference writes ours. */
const S6 = {
  id: "S6" as const,
  neutralise: (request: LockRequest): LockRequest => ({ ...request, files: { ...request.files, [`${path.dirname(request.lockfile!)}/.keep`]: "" } }),
};

function mirageRequests(): LockRequest[] {
  const base = { repos: [...ALL_REPOS], extra: MIRAGE_PROVIDED, args: ["--require-cross-compile", "--build-only", "--ocaml-version", "4.14.2"] };
  const withVar = (vars: Record<string, string>) => ({ ...base, depends: mirageDepends(), vars });
  return [
    // The monorepo variable given as a global variable: both vendor the unikernel's libraries.
    { id: "mirage-hvt-global-var", ...withVar({ ...FIXED_VARS, monorepo: "opam-monorepo" }), ci: true },
    { id: "mirage-hvt-dns", ...base, depends: mirageDepends(["dns-client-mirage", "happy-eyeballs-mirage"]), vars: { ...FIXED_VARS, monorepo: "opam-monorepo" } },
    { id: "mirage-hvt-no-cross", ...withVar({ ...FIXED_VARS, monorepo: "opam-monorepo" }), args: ["--build-only", "--ocaml-version", "4.14.2"] },
    { id: "mirage-hvt-5.2", ...withVar({ ...FIXED_VARS, monorepo: "opam-monorepo" }), args: ["--require-cross-compile", "--build-only", "--ocaml-version", "5.2.0"] },
    // OPAMVAR_monorepo (mirage's Makefile): honoured by ours, ignored by the reference (S2).
    { id: "mirage-hvt-opamvar", ...withVar(FIXED_VARS), env: MONOREPO_ENV, difference: S2, ci: true },
    { id: "mirage-hvt-opamvar-dns", ...base, depends: mirageDepends(["dns-client-mirage"]), env: MONOREPO_ENV, difference: S2 },
    // No global variables: ours defines opam-version (mirage-runtime 4.9+ is a candidate), the reference does not (S1).
    { id: "mirage-runtime-host", depends: ['"mirage-runtime"'], repos: [...ALL_REPOS], vars: "host", args: ["--ocaml-version", "4.14.2"], difference: S1, ci: true },
    { id: "mirage-unix-plain", depends: ['"mirage-runtime"', '"mirage-unix"', '"tcpip"'], repos: [...ALL_REPOS], args: ["--ocaml-version", "4.14.2"] },
    { id: "mirage-xen-cross", depends: ['"mirage-xen"', '"mirage-crypto-rng-mirage"'], repos: [...ALL_REPOS], args: ["--require-cross-compile", "--ocaml-version", "4.14.2"] },
  ];
}

function failingRequests(): LockRequest[] {
  return [
    { id: "fail-unknown-package", depends: ['"dune"', '"no-such-package-anywhere"'], ci: true },
    { id: "fail-impossible-version", depends: ['"dune"', '"fmt" {>= "9.0"}'] },
    { id: "fail-old-ocaml", depends: ['"dune"', '"fmt"'], args: ["--ocaml-version", "3.12.1"], ci: true },
    { id: "fail-not-dune", depends: ['"dune"', '"logger-p5"'], repos: ["repository"] },
    { id: "fail-contradiction", depends: ['"dune"', '"fmt" {< "0.8.0"}', '"logs" {>= "0.7.0"}', '"fmt" {>= "0.9.0"}'] },
    { id: "fail-no-dune-project", depends: ['"dune"'], noDuneProject: true, files: { "other.opam": 'opam-version: "2.0"\n' }, sameError: true, ci: true },
    { id: "no-dune-project-one-package", depends: ['"dune"', '"fmt"'], noDuneProject: true },
    // -l into a directory that does not exist: ours creates it, the reference fails (S6).
    { id: "lockfile-dir-missing", depends: ['"dune"', '"fmt"'], args: ["-l", "no/such/dir/app.opam.locked"], lockfile: "no/such/dir/app.opam.locked", difference: S6, ci: true },
    { id: "fail-unknown-target", depends: ['"dune"'], args: ["not-a-local-package"], sameError: true },
    { id: "cross-compile-none-tagged", depends: ['"dune"', '"ocurl"'], repos: ["repository"], args: ["--require-cross-compile"] },
  ];
}

function optionRequests(): LockRequest[] {
  return [
    { id: "ocaml-4.08", depends: ['"dune"', '"fmt"', '"logs"'], args: ["--ocaml-version", "4.08.1"] },
    { id: "ocaml-5.1", depends: ['"dune"', '"lwt"', '"yojson"'], args: ["--ocaml-version", "5.1.1"] },
    { id: "ocaml-5.3", depends: ['"dune"', '"ppxlib"'], args: ["--ocaml-version", "5.3.0"] },
    { id: "build-only-with-test", depends: ['"dune"', '"fmt"', '"alcotest" {with-test}', '"odoc" {with-doc}'], args: ["--build-only"], ci: true },
    { id: "with-test", depends: ['"dune"', '"fmt"', '"alcotest" {with-test}'] },
    { id: "opam-provided-flag", depends: ['"dune"', '"lwt"', '"ocamlfind"'], args: ["--opam-provided", "[ocamlfind]"], ci: true },
    { id: "opam-provided-field", depends: ['"dune"', '"cohttp-lwt-unix"', '"ppxlib"'], extra: 'x-opam-monorepo-opam-provided: ["ppxlib"]' },
    { id: "global-vars-replace", depends: ['"dune"', '"conf-gmp"', '"zarith"'], args: ["--global-opam-vars", "[[arch,x86_64],[os,linux],[os-family,debian],[os-distribution,debian],[os-version,11]]"] },
    { id: "fail-add-global-vars-conflict", depends: ['"dune"', '"zarith"'], args: ["--add-global-opam-vars", "[[os-version,11]]"], sameError: true },
    { id: "depexts-many", depends: ['"dune"', '"conf-gmp"', '"conf-libev"', '"conf-pkg-config"'] },
    { id: "depexts-one", depends: ['"dune"', '"conf-libffi"'], vars: { ...FIXED_VARS, "os-family": "alpine", "os-distribution": "alpine" } },
    { id: "only-overlays-first", depends: ['"dune"', '"fmt"', '"zarith"'], repos: ["repository", "overlays"] },
    { id: "mirage-overlay-only", depends: ['"dune"', '"mirage-crypto"'], repos: ["mirage", "overlays", "repository"] },
    { id: "dev-version-constraint", depends: ['"dune"', '"fmt" {>= "0.9.0" & < "0.10.0"}', '"cmdliner" {< "1.1.0"}'] },
    { id: "macos-vars", depends: ['"dune"', '"lwt"', '"conf-libev"'], vars: { ...FIXED_VARS, os: "macos", "os-distribution": "homebrew", "os-family": "homebrew" } },
    // ocurl's newest version, "transition", is deprecated, but the only one that builds with dune: both take it.
    { id: "deprecated-only-choice", depends: ['"dune"', '"ocurl"'] },
  ];
}

/** Every request of the corpus. */
export function corpus(): LockRequest[] {
  const singles: LockRequest[] = SINGLES.map((name) => ({ id: `single-${name}`, depends: ['"dune"', q(name)], args: ["--ocaml-version", "4.14.2"], ci: CI_SINGLES.has(name) }));
  const combinations: LockRequest[] = COMBINATIONS.map((names, i) => ({ id: `combo-${i + 1}-${names[0]}`, depends: ['"dune"', ...names.map(q)], args: ["--build-only"], ci: i === 2 }));
  return [...singles, ...combinations, ...mirageRequests(), ...optionRequests(), ...failingRequests()];
}
