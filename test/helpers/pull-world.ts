// A small world for pull tests: archives of every format (some URLs without a suffix) built into
// a directory to serve, with the DuniverseRepo entries a lock file would hold for them. No vitest
// here: bench/pull.ts uses it too (pull-served.ts has the per-file setup for tests).
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { DuniverseRepo } from "../../src/duniverse/plan.js";
import { archiveOf, type ArchiveFormat, type TreeEntry } from "./archives.js";

export interface ArchiveSpec {
  dir: string;
  format: ArchiveFormat;
  /** File name on the server (default `<dir>.<format>`). */
  file?: string;
  tree?: Record<string, TreeEntry>;
  /** Which checksums to list (default sha256 and md5). */
  algos?: ("sha256" | "sha512" | "md5")[];
}

export function hashesOf(file: string, algos: readonly string[] = ["sha256", "md5"]): string[] {
  const data = readFileSync(file);
  return algos.map((algo) => `${algo}=${createHash(algo).update(data).digest("hex")}`);
}

export function defaultTree(dir: string): Record<string, TreeEntry> {
  return {
    "dune-project": "(lang dune 3.0)\n",
    [`${dir}.opam`]: 'opam-version: "2.0"\n',
    "src/dune": `(library (name ${dir.replace(/\W/g, "_")}))\n`,
    "src/main.ml": `let name = "${dir}"\n`,
    "run.sh": { content: "#!/bin/sh\n", mode: 0o755 },
    "duniverse/nested/ignored.ml": "nested duniverse is trimmed\n",
  };
}

/** Build the archives into `servedDir`; returns repos whose URLs start with `baseUrl`. */
export function buildArchives(servedDir: string, baseUrl: string, specs: readonly ArchiveSpec[]): DuniverseRepo[] {
  mkdirSync(servedDir, { recursive: true });
  return specs.map((spec) => {
    const file = spec.file ?? `${spec.dir}.${spec.format}`;
    const out = archiveOf(spec.tree ?? defaultTree(spec.dir), path.join(servedDir, file), spec.format, `${spec.dir}-1.0`);
    return { dir: spec.dir, url: `${baseUrl}/${file}`, hashes: hashesOf(out, spec.algos), provides: [{ name: spec.dir, version: "1.0" }] };
  });
}

export const MIXED: ArchiveSpec[] = [
  { dir: "alpha", format: "tbz" },
  { dir: "beta", format: "tar.gz", algos: ["sha512"] },
  { dir: "gamma", format: "tar.xz", algos: ["md5", "sha256", "sha512"] },
  { dir: "delta", format: "zip" },
  { dir: "epsilon", format: "tar" },
  { dir: "zeta", format: "tbz", file: "tarball-v1.0" },
  { dir: "eta", format: "tgz", file: "codeload-tar.gz-v2" },
  { dir: "theta", format: "tar.bz2" },
  { dir: "iota", format: "txz" },
];
