// Same-source conflicts (opam-monorepo's rule, §4.3 of the behaviour reference): packages of one
// source repository (same normalised dev-repo) must come from the same archive, so a version
// whose checksums share nothing with an already-offered version of a sibling conflicts with it.
import { isVirtual, type OpamPackage } from "../opam/package.js";
import { normaliseDevRepo } from "../opam/url.js";
import type { Conflict } from "./model.js";

/** What the rule reads of a version: its normalised dev-repo and its archive's checksums. */
export interface SourceKey {
  devRepo: string;
  checksums: string[];
}

/** A version as the rule sees it (`source` undefined: exempt). */
export interface SourceOffer {
  name: string;
  version: string;
  source: SourceKey | undefined;
}

/** What one source repository (normalised dev-repo) has offered so far, indexed for conflicts. */
export interface SourceGroup {
  /** Package name → its recorded versions (in offer order; complete once recorded). */
  versions: Map<string, { list: string[]; set: Set<string> }>;
  /** Checksum → every recorded [name, version] with it. */
  byChecksum: Map<string, [string, string][]>;
}

/** The key of a non-virtual package with a dev-repo and checksums; undefined (exempt) otherwise. */
export function sourceKeyOf(pkg: OpamPackage): SourceKey | undefined {
  if (isVirtual(pkg) || pkg.devRepo === undefined) return undefined;
  const checksums = [...new Set((pkg.url?.checksums ?? []).map((c) => `${c.algo}=${c.hex}`))];
  return checksums.length === 0 ? undefined : { devRepo: devRepoKey(pkg.devRepo.raw), checksums };
}

/**
 * The conflicts of each of a name's offered versions (in offer order) with the siblings offered
 * before, then records them. The table fills as names are asked for; every pair is covered by
 * whichever side is asked second.
 */
export function sameSourceConflicts<T extends SourceOffer>(ordered: readonly T[], sources: Map<string, SourceGroup>): Map<T, Conflict[]> {
  const result = new Map<T, Conflict[]>();
  const recorded: [SourceGroup, T, SourceKey][] = [];
  for (const offer of ordered) {
    const source = offer.source;
    if (source === undefined) continue;
    let group = sources.get(source.devRepo);
    if (group === undefined) sources.set(source.devRepo, (group = { versions: new Map(), byChecksum: new Map() }));
    result.set(offer, siblingConflicts(group, offer.name, source.checksums));
    recorded.push([group, offer, source]);
  }
  for (const [group, offer, source] of recorded) {
    let versions = group.versions.get(offer.name);
    if (versions === undefined) group.versions.set(offer.name, (versions = { list: [], set: new Set() }));
    versions.list.push(offer.version);
    versions.set.add(offer.version);
    for (const checksum of source.checksums) {
      const ids = group.byChecksum.get(checksum);
      if (ids === undefined) group.byChecksum.set(checksum, [[offer.name, offer.version]]);
      else ids.push([offer.name, offer.version]);
    }
  }
  return result;
}

/**
 * One conflict per sibling package name (not per version): the solver checks each conflict
 * against every version of the name, and a large source repository (dune's, with a dozen
 * packages and hundreds of versions) would otherwise give hundreds of thousands of them.
 */
function siblingConflicts(group: SourceGroup, name: string, checksums: readonly string[]): Conflict[] {
  const sharing = new Map<string, Set<string>>();
  for (const checksum of checksums) {
    for (const [sibling, version] of group.byChecksum.get(checksum) ?? []) {
      const set = sharing.get(sibling);
      if (set === undefined) sharing.set(sibling, new Set([version]));
      else set.add(version);
    }
  }
  const conflicts: Conflict[] = [];
  for (const [sibling, versions] of group.versions) {
    if (sibling === name) continue;
    const shared = sharing.get(sibling);
    const count = versions.list.length - (shared?.size ?? 0);
    if (count === 0) continue;
    // Exact spellings: the solver passes the versions this context offered for `sibling`.
    const rejects = shared === undefined ? (v: string) => versions.set.has(v) : (v: string) => versions.set.has(v) && !shared.has(v);
    // For explanations: every version but the same release(s), e.g. `foo != 1.2.0`.
    const constraint = shared === undefined ? "" : [...shared].map((v) => `!= ${v}`).join(" & ");
    conflicts.push({ name: sibling, rejects, constraint });
  }
  return conflicts;
}

const normalisedDevRepos = new Map<string, string>();

function devRepoKey(raw: string): string {
  let key = normalisedDevRepos.get(raw);
  if (key === undefined) normalisedDevRepos.set(raw, (key = normaliseDevRepo(raw)));
  return key;
}
