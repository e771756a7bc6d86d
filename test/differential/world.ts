// A small synthetic opam repository for the differential tests of lock modes (switch mode, pins,
// several local packages, git repositories…): real enough for both tools (ocaml and
// ocaml-base-compiler, dune, packages with dev-repos, urls and checksums), fast to solve.
import { execFileSync } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { opamRepo, type OpamRepoBuilder } from "../helpers/opam-repo.js";

const sha = (n: number): string => `sha256=${n.toString(16).padStart(64, "0")}`;

function vendorable(name: string, version: string, n: number, depends: string[] = []) {
  return {
    depends: ['"dune"', ...depends],
    devRepo: `git+https://example.com/${name}.git`,
    url: `https://example.com/${name}-${version}.tbz`,
    checksum: [sha(n)],
    extra: 'build: ["dune" "build" "-p" name]',
  };
}

/** ocaml 4.14.2 / 5.1.1, dune, a (1.0, 2.0), b (needs a), c, and depexts on d. */
export function smallRepository(): OpamRepoBuilder {
  const repo = opamRepo();
  for (const version of ["4.14.2", "5.1.1"]) {
    repo.pkg("ocaml", version, { depends: [`"ocaml-base-compiler" {= "${version}"}`] });
    repo.pkg("ocaml-base-compiler", version, { flags: ["compiler"], extra: 'build: ["make"]' });
  }
  repo.pkg("dune", "3.0", { depends: ['"ocaml"'], url: "https://example.com/dune-3.0.tbz", checksum: [sha(1)], extra: 'build: ["make"]' });
  repo.pkg("a", "1.0", vendorable("a", "1.0", 2));
  repo.pkg("a", "2.0", vendorable("a", "2.0", 3));
  repo.pkg("b", "1.0", vendorable("b", "1.0", 4, ['"a" {>= "1.0"}']));
  repo.pkg("c", "1.0", vendorable("c", "1.0", 5));
  repo.pkg("d", "1.0", { ...vendorable("d", "1.0", 6), extra: 'build: ["dune" "build"]\ndepexts: ["libd-dev"] {os-family = "debian"}' });
  return repo;
}

export const FIXED_VARS_FIELD =
  'x-opam-monorepo-global-opam-vars: [["arch" "x86_64"] ["os" "linux"] ["os-family" "debian"] ["os-distribution" "debian"] ["os-version" "12"]]';

/** A local package's opam file. */
export function localOpam(depends: string[], fields: string[] = []): string {
  return ['opam-version: "2.0"', `depends: [${depends.join(" ")}]`, ...fields].join("\n") + "\n";
}

/**
 * An opam root made by Debian's opam (2.1.2) over `repositoryDir`, offline, with one empty switch
 * (as ../shared/reference-tool/README.md says): both tools read it in switch mode.
 */
export async function makeOpamRoot(root: string, repositoryDir: string): Promise<void> {
  await mkdir(path.dirname(root), { recursive: true });
  const env = { ...process.env, OPAMROOT: root, OPAMYES: "1", OPAMCOLOR: "never" };
  execFileSync("opam", ["init", "--bare", "-n", "--disable-sandboxing", "default", repositoryDir], { env, stdio: "ignore" });
  execFileSync("opam", ["switch", "create", "default", "--empty"], { env, stdio: "ignore" });
}
