// Gathers what `sbom` describes from a re-solved lock file: each locked package's opam file (the
// locked version's, from the repositories; local packages' from the project) for licence, homepage
// and dev-repo; its source and checksums (the lock file's for vendored packages, the opam file's
// url section otherwise); and the dependency edges of `tree`.
import { formatUrl } from "../opam/url.js";
import type { OpamPackage } from "../opam/package.js";
import type { SbomInput, SbomPackage, SbomSource } from "../inspect/sbom-model.js";
import { lockedOpamFiles, lockedPackages, type LockedSolve } from "./locked-solve.js";
import { lockGraph } from "./commands/tree.js";
import { PROGRAM } from "../core/paths.js";
import { toolVersion } from "./version.js";
import { bytewise } from "../core/compare.js";

function lockSources(solved: LockedSolve): Map<string, SbomSource> {
  const sources = new Map<string, SbomSource>();
  for (const repo of solved.lockfile.repos) {
    for (const ref of repo.provides) sources.set(ref.name, { url: repo.url, hashes: [...repo.hashes] });
  }
  return sources;
}

function opamSource(pkg: OpamPackage | undefined): SbomSource | undefined {
  if (pkg?.url === undefined) return undefined;
  return { url: formatUrl(pkg.url.src), hashes: pkg.url.checksums.map((c) => `${c.algo}=${c.hex}`) };
}

export function sbomInput(solved: LockedSolve, timestamp: string): SbomInput {
  const files = lockedOpamFiles(solved);
  const sources = lockSources(solved);
  const graph = lockGraph(solved);
  const packages: SbomPackage[] = lockedPackages(solved)
    .map((pkg) => {
      const opam = files.get(pkg.name);
      const source = pkg.kind === "local" ? undefined : (sources.get(pkg.name) ?? opamSource(opam));
      return { ...pkg, licenses: opam?.license ?? [], homepage: opam?.homepage?.[0], devRepo: opam?.devRepo?.raw, source };
    })
    .sort((a, b) => bytewise(a.name, b.name));
  const dependencies = new Map([...graph.edges].map(([name, edges]) => [name, edges.map((edge) => edge.to)]));
  return { tool: { name: PROGRAM, version: toolVersion() }, timestamp, roots: graph.roots.filter((name) => solved.lockfile.rootPackages.includes(name)), packages, dependencies };
}
