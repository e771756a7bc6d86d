// A repository stack whose opam files that fail to parse are skipped with one warning each (as
// opam does), instead of failing the whole lock: a broken file only matters when the solver asks
// for that version, and then the version is simply not a candidate.
import { isUserError } from "../core/errors.js";
import type { StackedRepository } from "../repository/repository.js";
import type { OpamPackage } from "../opam/package.js";

/** `repository` with `readOpam` (and `readOpamOnce`) answering undefined (and warning once) for a broken file. */
export function skippingBrokenFiles(repository: StackedRepository, warn: (message: string) => void): StackedRepository {
  const warned = new Set<string>();
  const skipping = (read: (name: string, version: string) => OpamPackage | undefined) => (name: string, version: string): OpamPackage | undefined => {
    try {
      return read(name, version);
    } catch (error) {
      if (!isUserError(error)) throw error;
      const id = `${name}.${version}`;
      if (!warned.has(id)) warn(`${error.message}\n${id} is skipped: its opam file cannot be read`);
      warned.add(id);
      return undefined;
    }
  };
  const once = repository.readOpamOnce;
  const readOpam = skipping((name, version) => repository.readOpam(name, version));
  const readOpamOnce = skipping((name, version) => (once === undefined ? repository.readOpam(name, version) : once.call(repository, name, version)));
  return new Proxy(repository, {
    get(target, property, receiver) {
      if (property === "readOpam") return readOpam;
      if (property === "readOpamOnce") return readOpamOnce;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
