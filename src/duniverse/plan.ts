// PURE: turns a solved set of packages into duniverse repositories (grouped by normalised
// dev-repo, one directory each, named from the dev-repo) and detects directory clashes.
// No filesystem, no network.

/** A package id split in two: `name.version`. */
export interface PackageRef {
  name: string;
  version: string;
}

/** One directory of `duniverse/`: a single source (archive URL or `git+…#commit`). */
export interface DuniverseRepo {
  /** Directory name under `duniverse/` (e.g. `dune_`, `ocaml-uri`). */
  dir: string;
  /** The source URL: an archive URL, or `git+<transport>://…#<commit>`. */
  url: string;
  /** Checksums as written in opam files: `sha256=<hex>`, `sha512=<hex>`, `md5=<hex>`. */
  hashes: string[];
  /** The opam packages this source provides, sorted by name. */
  provides: PackageRef[];
}
