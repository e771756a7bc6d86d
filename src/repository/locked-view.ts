// A view of a repository that offers only the versions a lock file selected (`why` answers from
// the lock file and the locked versions' opam files: the solve over that view has one candidate
// per package, and reads no other opam file). Names the lock file does not list have no versions.
import { versionsEqual } from "../opam/version.js";
import type { StackedRepository } from "./repository.js";

export function lockedView(repository: StackedRepository, locked: ReadonlyMap<string, string>): StackedRepository {
  return {
    label: repository.label,
    url: repository.url,
    commit: repository.commit,
    members: repository.members,
    packageNames: () => repository.packageNames().filter((name) => locked.has(name)),
    versions(name) {
      const version = locked.get(name);
      if (version === undefined) return [];
      return repository.versions(name).filter((candidate) => versionsEqual(candidate, version));
    },
    readOpam: (name, version) => repository.readOpam(name, version),
    flush: () => repository.flush(),
    providerOf: (name, version) => repository.providerOf(name, version),
    shadowed: (name) => repository.shadowed(name),
  };
}
