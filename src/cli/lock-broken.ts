// A repository stack whose opam files that fail to parse are skipped with one warning each (as
// opam does), instead of failing the whole lock: a broken file only matters when the solver asks
// for that version, and then the version is simply not a candidate.
import { isUserError } from "../core/errors.js";
import type { StackedRepository } from "../repository/repository.js";
import type { OpamPackage } from "../opam/package.js";

/** `repository` with `readOpam` answering undefined (and warning once) for a broken file. */
export function skippingBrokenFiles(repository: StackedRepository, warn: (message: string) => void): StackedRepository {
  const warned = new Set<string>();
  const readOpam = (name: string, version: string): OpamPackage | undefined => {
    try {
      return repository.readOpam(name, version);
    } catch (error) {
      if (!isUserError(error)) throw error;
      const id = `${name}.${version}`;
      if (!warned.has(id)) warn(`${error.message}\n${id} is skipped: its opam file cannot be read`);
      warned.add(id);
      return undefined;
    }
  };
  return new Proxy(repository, {
    get(target, property, receiver) {
      if (property === "readOpam") return readOpam;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
