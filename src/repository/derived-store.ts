// Values a caller derives from a version's opam file (the solver's judgement of it), kept beside
// the index cache in a file of its format (checksummed, written atomically, read a name at a
// time) and trusted only while the version's file is unchanged; rewritten whole when added to.
import { loadIndex, writeIndex, type EntryToWrite, type IndexContents, type IndexKey } from "./index-cache.js";

export interface DerivedStore {
  /** The value stored for `name.version` as its file is now; undefined when none. */
  get(name: string, version: string): string | undefined;
  /** Stores the value derived from `name.version` as its file is now. */
  set(name: string, version: string, value: string): void;
}

export interface DerivedStoreOptions {
  file: string;
  key: IndexKey;
  /** The current stamp of a version's file (index entry), undefined when the version is absent. */
  stampOf(name: string, version: string): string | undefined;
  /** Called on a failed write (the store is a cache: never an error). */
  onWriteError?(error: unknown): void;
}

interface Value {
  stamp: string;
  value: string;
}

export function openDerivedStore(options: DerivedStoreOptions): DerivedStore & { flush(): Promise<void> } {
  let loaded: IndexContents | undefined | null = null;
  // The last name read (callers ask a name's versions one after the other): a lock reads the
  // records of thousands of versions, kept no longer than their name is being asked about.
  let last: { name: string; values: Map<string, Value> } | undefined;
  const added = new Map<string, Map<string, Value>>();
  const file = (): IndexContents | undefined => {
    if (loaded === null) {
      const result = loadIndex(options.file, options.key);
      loaded = result.ok ? result : undefined;
    }
    return loaded;
  };
  const storedOf = (name: string): Map<string, Value> => {
    if (last?.name !== name) last = { name, values: readName(file(), name) };
    return last.values;
  };
  const get = (name: string, version: string): string | undefined => {
    const found = added.get(name)?.get(version) ?? storedOf(name).get(version);
    return found !== undefined && found.stamp === options.stampOf(name, version) ? found.value : undefined;
  };
  const set = (name: string, version: string, value: string): void => {
    const stamp = options.stampOf(name, version);
    if (stamp === undefined) return;
    let values = added.get(name);
    if (values === undefined) added.set(name, (values = new Map()));
    values.set(version, { stamp, value });
  };
  const flush = async (): Promise<void> => {
    if (added.size === 0) return;
    const names = snapshot(file(), storedOf, added);
    added.clear();
    try {
      await writeIndex(options.file, options.key, names);
      loaded = null;
      last = undefined;
    } catch (error) {
      options.onWriteError?.(error);
    }
  };
  return { get, set, flush };
}

/** The values stored for `name` (their stamps kept: whether they still hold is checked on use). */
function readName(contents: IndexContents | undefined, name: string): Map<string, Value> {
  const values = new Map<string, Value>();
  const entries = contents?.entries(name);
  if (contents === undefined || entries === undefined) return values;
  const headOf = contents.readHeads(name);
  for (const entry of entries) {
    const bytes = headOf(entry);
    if (bytes !== undefined) values.set(entry[0], { stamp: entry[1], value: bytes.toString("utf8") });
  }
  return values;
}

/** Every stored name's values with the added ones on top, as index entries (each value its own head). */
function snapshot(
  contents: IndexContents | undefined,
  storedOf: (name: string) => Map<string, Value>,
  added: ReadonlyMap<string, ReadonlyMap<string, Value>>,
): Map<string, EntryToWrite[]> {
  const names = new Map<string, EntryToWrite[]>();
  for (const name of new Set([...(contents?.names ?? []), ...added.keys()])) {
    const values = new Map([...storedOf(name), ...(added.get(name) ?? [])]);
    names.set(
      name,
      [...values].map(([version, { stamp, value }]) => {
        const blob = Buffer.from(value, "utf8");
        return { version, stamp, blob, head: blob.length };
      }),
    );
  }
  return names;
}
