// The real requests bench/reference.ts runs with ours and with opam-monorepo 0.4.3: the three of
// bench:lock (a mirage hvt unikernel with --require-cross-compile, dream, irmin+cohttp-lwt-unix+
// ocaml-lsp-server), lwt+ppxlib, and single popular packages (odoc, core, ocamlformat,
// cohttp-lwt-unix), against the real snapshots extracted as directories (overlays first).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface Request {
  name: string;
  files: Record<string, string>;
  /** Arguments after `lock` (the same for both tools). */
  args: string[];
  env: Record<string, string>;
}

/** The three snapshots as directories (test/helpers/real-dirs.ts). */
export interface SnapshotDirs {
  repository: string;
  overlays: string;
  mirageOverlays: string;
}

const GLOBALS = '[["arch" "x86_64"] ["os" "linux"] ["os-family" "debian"] ["os-distribution" "debian"] ["os-version" "12"] ["opam-version" "2.3.0"]]';

const MIRAGE_MONOREPO = ["cmdliner-stdlib", "dns-client-mirage", "duration", "lwt", "mirage-bootvar", "mirage-crypto-rng-mirage", "mirage-logs", "mirage-mtime", "mirage-ptime", "mirage-sleep", "tcpip"];
const MIRAGE_RANGES: [string, string, string][] = [
  ["mirage-runtime", "4.11.0", "4.12.0"],
  ["mirage-solo5", "0.10.0", "0.11.0"],
];
const MIRAGE_SWITCH: [string, string, string][] = [
  ["mirage", "4.11.0", "4.12.0"],
  ["ocaml-solo5", "0.8.2", "2.0.0"],
  ["solo5", "0.7.5", "0.13.0"],
];

function repositories(dirs: string[]): string {
  return `x-opam-monorepo-opam-repositories: [${dirs.map((d) => `"file://${d}"`).join(" ")}]`;
}

function mirage(snapshots: SnapshotDirs): Request {
  const text = [
    'opam-version: "2.0"',
    'build: [make "build"]',
    "depends: [",
    ...MIRAGE_MONOREPO.map((p) => `  "${p}" { ?monorepo }`),
    ...MIRAGE_RANGES.map(([p, lo, hi]) => `  "${p}" { ?monorepo & >= "${lo}" & < "${hi}" }`),
    ...MIRAGE_SWITCH.map(([p, lo, hi]) => `  "${p}" { build & >= "${lo}" & < "${hi}" }`),
    '  "opam-monorepo" { build & >= "0.3.2" }',
    "]",
    'x-opam-monorepo-opam-provided: ["mirage" "ocaml-solo5" "opam-monorepo" "solo5"]',
    repositories([snapshots.mirageOverlays, snapshots.overlays, snapshots.repository]),
    `x-opam-monorepo-global-opam-vars: ${GLOBALS}`,
  ].join("\n");
  return {
    name: "mirage-hvt",
    files: { "mirage/hello.opam": `${text}\n`, "dune-project": "(lang dune 2.9)\n" },
    args: ["--require-cross-compile", "--build-only", "hello", "-l", "mirage/hello.opam.locked", "--ocaml-version", "4.14.2"],
    env: { OPAMVAR_monorepo: "opam-monorepo" },
  };
}

export function requests(snapshots: SnapshotDirs): Request[] {
  const plain = (name: string, deps: string[]): Request => ({
    name,
    files: {
      "project.opam": `opam-version: "2.0"\ndepends: [${deps.map((d) => `"${d}"`).join(" ")}]\n${repositories([snapshots.overlays, snapshots.repository])}\nx-opam-monorepo-global-opam-vars: ${GLOBALS}\n`,
      "dune-project": "(lang dune 2.9)\n",
    },
    args: ["--build-only", "--ocaml-version", "4.14.2", "-l", "project.opam.locked"],
    env: {},
  });
  return [
    mirage(snapshots),
    plain("dream", ["dune", "dream"]),
    plain("irmin+cohttp+lsp", ["dune", "irmin", "cohttp-lwt-unix", "ocaml-lsp-server"]),
    plain("lwt+ppxlib", ["dune", "lwt", "ppxlib"]),
    plain("odoc", ["odoc"]),
    plain("core", ["core"]),
    plain("ocamlformat", ["ocamlformat"]),
    plain("cohttp-lwt-unix", ["cohttp-lwt-unix"]),
  ];
}

/** Write the project files of `request` into `dir`, each through `rewrite`. */
export function writeProject(dir: string, request: Request, rewrite: (text: string) => string = (t) => t): void {
  for (const [relative, content] of Object.entries(request.files)) {
    mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    writeFileSync(path.join(dir, relative), rewrite(content));
  }
}
