// What a package table (package-table.ts) holds and is given: its entries, the source's hooks,
// the loaded index-cache file and its options; and cold-parse results grouped into entries.
import type { UserError } from "../core/errors.js";
import type { OpamPackage } from "../opam/package.js";
import type { ParsedText } from "./cold-parse.js";
import type { EntryToWrite, IndexKey, StoredEntry } from "./index-cache.js";

export interface TableEntry {
  version: string;
  /** Per-file stamp (directory repositories), "" otherwise. */
  stamp: string;
  /** The entry's bytes (codec.ts: a text or a failure), when in memory. */
  blob?: Buffer;
  /** Where the entry's bytes sit in the loaded index file. */
  stored?: StoredEntry;
  /**
   * The package parsed from text, kept while its facts are wanted (a package decoded from facts,
   * or parsed only for the solver's record of it, is not kept), or the error parsing it gave
   * (always kept: the file is not parsed again).
   */
  value?: OpamPackage | UserError;
  /** Asked for by `readOpam` (not only `readOpamOnce`): the index keeps its facts once parsed. */
  factsWanted?: true;
  /** The opam text, kept as read (a cold load keeps views of its buffers), to parse on first use. */
  text?: { file: string; bytes: Buffer };
}

export interface TableSource {
  /** Current entries of `name`, reusing `cached` ones whose stamp still matches. Absent: trust. */
  refresh?(name: string, cached: readonly TableEntry[] | undefined): TableEntry[];
  /** Every name present in the source; absent: the table's own names. */
  listNames?(): string[];
  /** The entry's bytes re-derived from the source; undefined when it no longer exists. */
  reparse(name: string, version: string): Buffer | undefined;
  /**
   * One version checked alone (with `refresh`): `cached` when its stamp still matches, a fresh
   * entry when the file changed, "no-name" when the package has no directory, undefined when the
   * version's file is absent (or the name or version is not one a repository can hold).
   */
  probe?(name: string, version: string, cached: TableEntry | undefined): TableEntry | "no-name" | undefined;
}

/** The loaded index-cache file (see index-cache.ts `IndexContents`). */
export interface StoredIndex {
  names: readonly string[];
  entries(name: string): StoredEntry[] | undefined;
  read(entry: StoredEntry): Buffer | undefined;
  /** Answers valid until the next call (see index-cache.ts). */
  readHeads(name: string): (entry: StoredEntry) => Buffer | undefined;
}

export interface TableOptions {
  label: string;
  url: string;
  commit: string | undefined;
  /** Entries known up front (a cold parse); names not here are looked up in `stored`. */
  entries: Map<string, TableEntry[]>;
  source: TableSource;
  stored?: StoredIndex;
  /** Writes the index cache from `snapshot()` (never rejects); absent when the cache is off. */
  persist?: (snapshot: () => Map<string, EntryToWrite[]>) => Promise<void>;
  /** True after a cold parse: everything is fresh and the cache needs writing. */
  fresh: boolean;
  /** Where values derived under `kind` are kept (derived-store.ts); absent when the cache is off. */
  derivedFile?(kind: string): { file: string; key: IndexKey; onWriteError(error: unknown): void };
}

/** Cold-parse results grouped into table entries per name. */
export function groupByName(parsed: readonly ParsedText[]): Map<string, TableEntry[]> {
  const entries = new Map<string, TableEntry[]>();
  for (const { name, version, stamp, file, text, failure } of parsed) {
    const entry: TableEntry = text === undefined ? { version, stamp, blob: failure! } : { version, stamp, text: { file, bytes: text } };
    const list = entries.get(name);
    if (list === undefined) entries.set(name, [entry]);
    else list.push(entry);
  }
  return entries;
}
