// Several repositories stacked by priority: for each `name.version`, the first repository that
// provides it (compare-equal spellings such as `1.01`/`1.1` count as the same version) wins, and
// what it hides is recorded. Versions are merged and sorted newest first.
import { compareVersions } from "../opam/version.js";
import type { DerivedStore, Repository, Shadowing, StackedRepository } from "./repository.js";

interface Provided {
  version: string;
  from: Repository;
}

interface NameView {
  versions: string[];
  providers: Map<string, Repository>;
  shadowed: Shadowing[];
}

function mergeName(members: readonly Repository[], name: string): NameView {
  const provided: Provided[] = [];
  const shadowed: Shadowing[] = [];
  for (const member of members) {
    const earlier = provided.length;
    for (const version of member.versions(name)) {
      let winner: Provided | undefined;
      for (let i = 0; i < earlier && winner === undefined; i++) {
        if (compareVersions(provided[i]!.version, version) === 0) winner = provided[i];
      }
      if (winner === undefined) provided.push({ version, from: member });
      else shadowed.push({ name, version: winner.version, winner: winner.from.label, hidden: { label: member.label, version } });
    }
  }
  const versions = provided.map((p) => p.version).sort((a, b) => compareVersions(b, a));
  return { versions, providers: new Map(provided.map((p) => [p.version, p.from])), shadowed };
}

/** Stacks `members`, highest priority first (overlays before opam-repository). */
export function stackRepositories(members: readonly Repository[]): StackedRepository {
  const views = new Map<string, NameView>();
  const order: string[] = [];
  const view = (name: string): NameView => {
    let found = views.get(name);
    if (found === undefined) {
      found = mergeName(members, name);
      views.set(name, found);
      order.push(name);
    }
    return found;
  };
  return {
    label: members.map((m) => m.label).join(", "),
    url: members.map((m) => m.url).join(" "),
    commit: undefined,
    members,
    packageNames: () => [...new Set(members.flatMap((m) => m.packageNames()))].sort(),
    versions: (name) => [...view(name).versions],
    providerOf: (name, version) => view(name).providers.get(version),
    readOpam: (name, version) => view(name).providers.get(version)?.readOpam(name, version),
    readOpamOnce: (name, version) => {
      const provider = view(name).providers.get(version);
      return provider?.readOpamOnce !== undefined ? provider.readOpamOnce(name, version) : provider?.readOpam(name, version);
    },
    derived: (kind) => stackedDerived(kind, (name, version) => view(name).providers.get(version)),
    shadowed: (name) => (name === undefined ? order.flatMap((n) => views.get(n)!.shadowed) : [...view(name).shadowed]),
    flush: async () => {
      await Promise.all(members.map((m) => m.flush()));
    },
  };
}

/** Each version's derived values, kept by the member that provides it (none without its cache). */
function stackedDerived(kind: string, providerOf: (name: string, version: string) => Repository | undefined): DerivedStore {
  const stores = new Map<Repository, DerivedStore | undefined>();
  const storeOf = (name: string, version: string): DerivedStore | undefined => {
    const member = providerOf(name, version);
    if (member === undefined) return undefined;
    if (!stores.has(member)) stores.set(member, member.derived?.(kind));
    return stores.get(member);
  };
  return {
    get: (name, version) => storeOf(name, version)?.get(name, version),
    set: (name, version, value) => storeOf(name, version)?.set(name, version, value),
  };
}
