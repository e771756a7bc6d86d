// A view of a repository that offers only the versions a lock file selected (`why` answers from
// the lock file and the locked versions' opam files: the solve over that view has one candidate
// per package, and reads no other opam file). Names the lock file does not list have no versions.
// A locked version is found by probing the members in order for that exact spelling (one stat
// each, no listing of the name's versions below the member that has it); when a member has a
// compare-equal spelling instead, the stack decides.
import { versionsEqual } from "../opam/version.js";
import type { Repository, StackedRepository } from "./repository.js";

export function lockedView(repository: StackedRepository, locked: ReadonlyMap<string, string>): StackedRepository {
  /** name → the member holding its locked version as spelled, or undefined: ask the stack. */
  const probed = new Map<string, Repository | undefined>();
  const providerOfLocked = (name: string, version: string): Repository | undefined => {
    if (probed.has(name)) return probed.get(name);
    let found: Repository | undefined;
    for (const member of repository.members) {
      const answer = member.probe?.(name, version) ?? "unknown";
      if (answer === "present") found = member;
      // A member with the name but not this spelling hides the members below only if it has a
      // compare-equal spelling (then the stack decides); its own versions say (overlays hold few).
      if (answer === "present" || (answer === "unknown" && member.versions(name).some((v) => versionsEqual(v, version)))) break;
    }
    probed.set(name, found);
    return found;
  };
  const lockedProvider = (name: string, version: string): Repository | undefined =>
    locked.get(name) === version ? providerOfLocked(name, version) : undefined;
  return {
    label: repository.label,
    url: repository.url,
    commit: repository.commit,
    members: repository.members,
    packageNames: () => repository.packageNames().filter((name) => locked.has(name)),
    versions(name) {
      const version = locked.get(name);
      if (version === undefined) return [];
      if (providerOfLocked(name, version) !== undefined) return [version];
      return repository.versions(name).filter((candidate) => versionsEqual(candidate, version));
    },
    readOpam: (name, version) => (lockedProvider(name, version) ?? repository).readOpam(name, version),
    flush: () => repository.flush(),
    providerOf: (name, version) => lockedProvider(name, version) ?? repository.providerOf(name, version),
    shadowed: (name) => repository.shadowed(name),
  };
}
