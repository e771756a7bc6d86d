// The in-memory index behind every single repository: names → versions → entries (held in
// memory or in the index-cache file), decoded (or, for a text entry, parsed) on first use and
// memoised. A package parsed from a text entry is written back as a model at the next flush,
// which is scheduled whenever the table learns something. The source hooks revalidate a name
// on first use and re-derive an entry whose cached bytes fail their checksum.
import { UserError } from "../core/errors.js";
import type { OpamPackage } from "../opam/package.js";
import { compareVersions } from "../opam/version.js";
import { decodeEntry, textEntryHeader, textOfEntry } from "./codec.js";
import { encodeValue, parseOpamText } from "./opam-text.js";
import type { ParsedText } from "./cold-parse.js";
import type { EntryToWrite, StoredEntry } from "./index-cache.js";
import type { Repository } from "./repository.js";

export interface TableEntry {
  version: string;
  /** Per-file stamp (directory repositories), "" otherwise. */
  stamp: string;
  /** The encoded package, when in memory. */
  blob?: Buffer;
  /** Where the encoded package sits in the loaded index file. */
  stored?: StoredEntry;
  value?: OpamPackage | UserError;
  /** The opam text kept by a cold load (a view), to parse on first use. */
  text?: { file: string; bytes: Buffer };
  /** `value` was parsed from a text entry: store the model instead at the next flush. */
  upgrade?: boolean;
}

export interface TableSource {
  /** Current entries of `name`, reusing `cached` ones whose stamp still matches. Absent: trust. */
  refresh?(name: string, cached: readonly TableEntry[] | undefined): TableEntry[];
  /** Every name present in the source; absent: the table's own names. */
  listNames?(): string[];
  /** The entry's bytes re-derived from the source; undefined when it no longer exists. */
  reparse(name: string, version: string): Buffer | undefined;
}

/** The loaded index-cache file (see index-cache.ts `IndexContents`). */
export interface StoredIndex {
  names: readonly string[];
  entries(name: string): StoredEntry[] | undefined;
  read(entry: StoredEntry): Buffer | undefined;
}

export interface TableOptions {
  label: string;
  url: string;
  commit: string | undefined;
  /** Entries known up front (a cold parse); names not here are looked up in `stored`. */
  entries: Map<string, TableEntry[]>;
  source: TableSource;
  stored?: StoredIndex;
  /** Writes the index cache; absent when the cache is off. */
  persist?: (names: Map<string, EntryToWrite[]>) => Promise<void>;
  /** True after a cold parse: everything is fresh and the cache needs writing. */
  fresh: boolean;
}

/** A Repository over a table of entries (see TableOptions). */
export function createTableRepository(options: TableOptions): Repository {
  const { entries, source, stored } = options;
  const checked = new Set<string>(options.fresh ? entries.keys() : []);
  const sorted = new Map<string, string[]>();
  let dirty = false;
  let writing: Promise<void> = Promise.resolve();
  let scheduled = false;

  /** Something to write: flush once the caller yields to the event loop. */
  function changed(): void {
    dirty = true;
    if (scheduled || options.persist === undefined) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void repository.flush();
    });
  }

  /** The entries as last known (materialised from the cache file on first use). */
  function known(name: string): TableEntry[] {
    let list = entries.get(name);
    if (list === undefined) {
      const items = stored?.entries(name) ?? [];
      list = items.map((item) => ({ version: item[0], stamp: item[1], stored: item }));
      entries.set(name, list);
    }
    return list;
  }

  /** The entries, revalidated against the source on first use. */
  function entriesOf(name: string): readonly TableEntry[] {
    if (!checked.has(name) && source.refresh !== undefined) {
      const before = known(name);
      const after = source.refresh(name, before);
      if (after.length !== before.length || after.some((entry, i) => entry !== before[i])) changed();
      entries.set(name, after);
    }
    checked.add(name);
    return known(name);
  }

  const storedNames = new Set(stored?.names ?? []);
  const allNames = (): string[] => [...new Set([...storedNames, ...entries.keys()])];

  /** What to write for `entry`: the model once parsed, else the bytes it came from. */
  function partsOf(name: string, entry: TableEntry): Buffer | readonly Buffer[] | undefined {
    if (entry.upgrade === true || (entry.value !== undefined && entry.blob === undefined && entry.stored === undefined && entry.text === undefined)) {
      return encodeValue(entry.value!);
    }
    if (entry.text !== undefined) return [textEntryHeader(entry.text.file), entry.text.bytes];
    return bytesOf(name, entry);
  }

  function bytesOf(name: string, entry: TableEntry): Buffer | undefined {
    if (entry.blob !== undefined) return entry.blob;
    const cached = entry.stored !== undefined ? stored?.read(entry.stored) : undefined;
    if (cached !== undefined) return cached;
    changed();
    entry.stored = undefined;
    entry.blob = source.reparse(name, entry.version);
    return entry.blob;
  }

  function fromBytes(name: string, entry: TableEntry, bytes: Buffer): OpamPackage | UserError {
    const text = textOfEntry(bytes);
    if (text === undefined) return decodeEntry(bytes);
    const value = parseOpamText(text.text, text.file, name, entry.version);
    entry.upgrade = true;
    changed();
    return value;
  }

  function decode(name: string, entry: TableEntry): OpamPackage | UserError | undefined {
    if (entry.value !== undefined) return entry.value;
    if (entry.text !== undefined) {
      entry.value = parseOpamText(entry.text.bytes.toString("utf8"), entry.text.file, name, entry.version);
      entry.upgrade = true;
      changed();
      return entry.value;
    }
    const bytes = bytesOf(name, entry);
    if (bytes === undefined) return undefined;
    try {
      entry.value = fromBytes(name, entry, bytes);
    } catch {
      entry.blob = undefined;
      entry.stored = undefined;
      const again = bytesOf(name, entry);
      if (again === undefined) return undefined;
      entry.value = fromBytes(name, entry, again);
    }
    return entry.value;
  }

  function snapshot(): Map<string, EntryToWrite[]> {
    const out = new Map<string, EntryToWrite[]>();
    for (const name of allNames()) {
      const items: EntryToWrite[] = [];
      for (const entry of known(name)) {
        const blob = partsOf(name, entry);
        if (blob !== undefined) items.push({ version: entry.version, stamp: entry.stamp, blob });
      }
      if (items.length > 0) out.set(name, items);
    }
    return out;
  }

  const repository: Repository = {
    label: options.label,
    url: options.url,
    commit: options.commit,
    packageNames() {
      const names = source.listNames?.() ?? allNames();
      const present = (name: string) => (!checked.has(name) && storedNames.has(name)) || entriesOf(name).length > 0;
      return names.filter(present).sort();
    },
    versions(name) {
      let list = sorted.get(name);
      if (list === undefined) {
        list = entriesOf(name).map((entry) => entry.version).sort((a, b) => compareVersions(b, a));
        sorted.set(name, list);
      }
      return [...list];
    },
    readOpam(name, version) {
      const entry = entriesOf(name).find((candidate) => candidate.version === version);
      const value = entry === undefined ? undefined : decode(name, entry);
      if (value instanceof UserError) throw new UserError(value.code, value.message, { hint: value.hint });
      return value;
    },
    flush() {
      if (dirty && options.persist !== undefined) {
        dirty = false;
        const persist = options.persist;
        writing = writing.then(() => persist(snapshot()));
      }
      return writing;
    },
  };
  if (options.fresh) changed();
  return repository;
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
