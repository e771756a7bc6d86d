// The in-memory index behind every single repository: names → versions → entries (held in
// memory or in the index-cache file), decoded on first use. The cache holds each version's opam
// text and, once it has been parsed, its solver facts as JSON (package-facts.ts): a warm lock
// decodes facts, read a name at a time, and parses no text. A flush is scheduled whenever the
// table learns something. The source hooks revalidate a name on first use and re-derive an entry
// whose cached bytes fail their checksum.
import { UserError } from "../core/errors.js";
import type { OpamPackage } from "../opam/package.js";
import { compareVersions } from "../opam/version.js";
import { decodeFailure, factsOfEntry, isFactsEntry, textOfEntry } from "./codec.js";
import { entryParts } from "./entry-write.js";
import { parseOpamText } from "./opam-text.js";
import { packageFromFacts } from "./package-facts.js";
import type { EntryToWrite, StoredEntry } from "./index-cache.js";
import type { TableEntry, TableOptions } from "./table-entry.js";
import type { Probe, Repository } from "./repository.js";
import { openDerivedStore, type DerivedStore } from "./derived-store.js";

/** A Repository over a table of entries (see table-entry.ts); a class because it is a cache. */
class PackageTable implements Repository {
  readonly label: string;
  readonly url: string;
  readonly commit: string | undefined;
  private readonly entries: Map<string, TableEntry[]>;
  private readonly checked: Set<string>;
  private readonly storedNames: Set<string>;
  private readonly sorted = new Map<string, string[]>();
  /** Versions checked alone (`probe`) of names not checked whole: `name\0version` → entry. */
  private readonly probed = new Map<string, TableEntry>();
  /**
   * The heads of the last name decoded from the cache file (its versions are decoded together):
   * replaced, never kept beside another name's, as readHeads reuses its buffer.
   */
  private heads: { name: string; of: (entry: StoredEntry) => Buffer | undefined } | undefined;
  private dirty = false;
  private scheduled = false;
  private writing: Promise<void> = Promise.resolve();
  private readonly derivedStores = new Map<string, DerivedStore & { flush(): Promise<void> }>();
  /** Set when the index cache is on (Repository.derived). */
  readonly derived?: (kind: string) => DerivedStore;

  constructor(private readonly options: TableOptions) {
    this.label = options.label;
    this.url = options.url;
    this.commit = options.commit;
    this.entries = options.entries;
    this.checked = new Set(options.fresh ? options.entries.keys() : []);
    this.storedNames = new Set(options.stored?.names ?? []);
    // Callers may pass the methods around (`names.map(repo.versions)`): keep `this`.
    this.packageNames = this.packageNames.bind(this);
    this.versions = this.versions.bind(this);
    this.readOpam = this.readOpam.bind(this);
    this.readOpamOnce = this.readOpamOnce.bind(this);
    this.probe = this.probe.bind(this);
    this.flush = this.flush.bind(this);
    if (options.derivedFile !== undefined) this.derived = this.derivedStore.bind(this);
    if (options.fresh) this.changed();
  }

  packageNames(): string[] {
    const listed = this.options.source.listNames?.();
    // A listed name not read yet counts as present: reading it here would read the whole tree.
    const lazy = listed !== undefined && this.options.source.refresh !== undefined;
    const present = (name: string) =>
      this.checked.has(name) ? this.entriesOf(name).length > 0 : lazy || this.storedNames.has(name) || this.entriesOf(name).length > 0;
    return (listed ?? this.allNames()).filter(present).sort();
  }

  versions(name: string): string[] {
    let list = this.sorted.get(name);
    if (list === undefined) {
      list = this.entriesOf(name).map((entry) => entry.version).sort((a, b) => compareVersions(b, a));
      this.sorted.set(name, list);
    }
    return [...list];
  }

  readOpam(name: string, version: string): OpamPackage | undefined {
    return this.read(name, version, true);
  }

  readOpamOnce(name: string, version: string): OpamPackage | undefined {
    return this.read(name, version, false);
  }

  /**
   * A version's package; `wanted`: its facts are to be kept in the index (a cold lock writes the
   * facts of the versions it locks, and only the texts of those it judged: its records hold those).
   */
  private read(name: string, version: string, wanted: boolean): OpamPackage | undefined {
    const entry = this.entryOf(name, version);
    if (entry !== undefined && wanted && entry.factsWanted === undefined) {
      entry.factsWanted = true;
      // A text as read (its package, if parsed, was not kept): the next flush writes its facts.
      if (entry.text !== undefined) this.changed();
    }
    const value = entry === undefined ? undefined : this.decode(name, entry);
    if (value instanceof UserError) throw new UserError(value.code, value.message, { hint: value.hint });
    return value;
  }

  probe(name: string, version: string): Probe {
    const check = this.options.source.probe;
    if (this.checked.has(name) || this.options.source.refresh === undefined || check === undefined) {
      const entries = this.entriesOf(name);
      return entries.some((entry) => entry.version === version) ? "present" : entries.length === 0 ? "no-name" : "unknown";
    }
    const key = `${name}\0${version}`;
    if (this.probed.has(key)) return "present";
    const list = this.known(name);
    const at = list.findIndex((entry) => entry.version === version);
    const found = check(name, version, at < 0 ? undefined : list[at]);
    if (found === undefined || found === "no-name") return found ?? "unknown";
    if (at < 0 || list[at] !== found) {
      // The name's list learns the new text; a later whole check of the name reuses it.
      if (at < 0) list.push(found);
      else list[at] = found;
      this.sorted.delete(name);
      this.changed();
    }
    this.probed.set(key, found);
    return "present";
  }

  flush(): Promise<void> {
    const persist = this.options.persist;
    if (this.dirty && persist !== undefined) {
      this.dirty = false;
      this.writing = this.writing.then(() => persist(() => this.snapshot()));
    }
    for (const store of this.derivedStores.values()) this.writing = this.writing.then(() => store.flush());
    return this.writing;
  }

  /** The store of values derived under `kind`, opened on first use. */
  private derivedStore(kind: string): DerivedStore {
    let store = this.derivedStores.get(kind);
    if (store === undefined) {
      const where = this.options.derivedFile!(kind);
      const stampOf = (name: string, version: string) => this.entryOf(name, version)?.stamp;
      this.derivedStores.set(kind, (store = openDerivedStore({ ...where, stampOf })));
    }
    return store;
  }

  /** The entry of `name.version`: checked alone (`probe`) when its name was not checked whole. */
  private entryOf(name: string, version: string): TableEntry | undefined {
    const probed = this.checked.has(name) ? undefined : this.probed.get(`${name}\0${version}`);
    return probed ?? this.entriesOf(name).find((candidate) => candidate.version === version);
  }

  /** Something to write: flush once the caller yields to the event loop. */
  private changed(): void {
    this.dirty = true;
    if (this.scheduled || this.options.persist === undefined) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private allNames(): string[] {
    return [...new Set([...this.storedNames, ...this.entries.keys()])];
  }

  /** The entries as last known (materialised from the cache file on first use). */
  private known(name: string): TableEntry[] {
    let list = this.entries.get(name);
    if (list === undefined) {
      const items = this.options.stored?.entries(name) ?? [];
      list = items.map((item) => ({ version: item[0], stamp: item[1], stored: item }));
      this.entries.set(name, list);
    }
    return list;
  }

  /** The entries, revalidated against the source on first use. */
  private entriesOf(name: string): readonly TableEntry[] {
    const refresh = this.options.source.refresh;
    if (!this.checked.has(name) && refresh !== undefined) {
      const before = this.known(name);
      const after = refresh(name, before);
      if (after.length !== before.length || after.some((entry, i) => entry !== before[i])) this.changed();
      this.entries.set(name, after);
    }
    this.checked.add(name);
    return this.known(name);
  }

  /**
   * What decoding needs of a stored facts entry: its head alone (file name and facts, checked by
   * their own checksum), not its opam text, read with the heads of the name's other versions
   * (the solver decodes them one after the other): a warm dream lock reads 6.1 MB of heads in 313
   * reads instead of 7.4 MB of entries in 1,833.
   */
  private factsHeadOf(name: string, entry: TableEntry): Buffer | undefined {
    const stored = this.options.stored;
    if (entry.blob !== undefined || entry.stored === undefined || stored === undefined) return undefined;
    if (this.heads?.name !== name) this.heads = { name, of: stored.readHeads(name) };
    const head = this.heads.of(entry.stored);
    return head !== undefined && isFactsEntry(head) ? head : undefined;
  }

  /** The entry's bytes: in memory, from the cache file (checksummed), or re-derived. */
  private bytesOf(name: string, entry: TableEntry): Buffer | undefined {
    if (entry.blob !== undefined) return entry.blob;
    const cached = entry.stored !== undefined ? this.options.stored?.read(entry.stored) : undefined;
    if (cached !== undefined) return cached;
    this.changed();
    entry.stored = undefined;
    entry.blob = this.options.source.reparse(name, entry.version);
    return entry.blob;
  }

  /**
   * The package of stored bytes. Decoded from facts, it is not kept: the solver keeps only what it
   * derives (its candidates), so the decoded objects die young instead of being copied by every
   * scavenge until the process ends, and a caller that asks again gets a fresh decode (warm dream
   * lock: scavenges 132 → 80 ms, peak RSS 73 → 68 MB; docs/performance.md).
   */
  private fromBytes(name: string, entry: TableEntry, bytes: Buffer): OpamPackage | UserError {
    const facts = factsOfEntry(bytes);
    // The text is read again for the few packages whose other fields are asked for (those of the
    // lock file), instead of keeping every version's bytes alive for it (15 MB on a dream lock).
    if (facts !== undefined) return packageFromFacts(name, entry.version, facts.file, facts.facts, () => this.fullPackage(name, entry));
    const text = textOfEntry(bytes);
    if (text === undefined) return decodeFailure(bytes);
    const value = parseOpamText(text.text, text.file, name, entry.version);
    if (value instanceof UserError) return value;
    // When wanted, the next flush stores its facts, so that the next process parses nothing.
    if (entry.factsWanted) this.changed();
    return this.keptIfWanted(entry, value);
  }

  /**
   * A package parsed from text is kept only when its facts are to be written (the lock file's
   * versions): a judged version's record is what the solver keeps, and a thousand parsed versions
   * alive until the end were copied by every scavenge (cold odoc 0.205 → 0.180 s, mirage-hvt 0.369
   * → 0.350 s, peak RSS 3–8 MB lower). A failure is kept: its file is not parsed again. It is the
   * parsed package itself: the lock file reads all of it, and one the solver judged alone dies
   * here (a facts view of each, with its lazy fields, took 2–3 % of a first lock).
   */
  private keptIfWanted(entry: TableEntry, value: OpamPackage | UserError): OpamPackage | UserError {
    if (entry.factsWanted || value instanceof UserError) entry.value = value;
    return value;
  }

  /**
   * The whole package behind facts, parsed from its text (which parsed when the facts were made):
   * a cold entry's text as read, else the entry's bytes.
   */
  private fullPackage(name: string, entry: TableEntry): OpamPackage {
    const text = this.textOf(name, entry);
    if (text === undefined) throw new UserError("REPO_INVALID", `the opam file of ${name}.${entry.version} could no longer be read from its repository`);
    const value = parseOpamText(text.text, text.file, name, entry.version);
    if (value instanceof UserError) throw value;
    return value;
  }

  /** An entry's opam text: a cold entry's as read, else from its bytes (undefined when none). */
  private textOf(name: string, entry: TableEntry): { text: string; file: string } | undefined {
    if (entry.text !== undefined) return { text: entry.text.bytes.toString("utf8"), file: entry.text.file };
    const bytes = this.bytesOf(name, entry);
    return bytes === undefined ? undefined : textOfEntry(bytes);
  }

  private decode(name: string, entry: TableEntry): OpamPackage | UserError | undefined {
    if (entry.value !== undefined) return entry.value;
    if (entry.text !== undefined) {
      return this.keptIfWanted(entry, parseOpamText(entry.text.bytes.toString("utf8"), entry.text.file, name, entry.version));
    }
    const bytes = this.factsHeadOf(name, entry) ?? this.bytesOf(name, entry);
    if (bytes === undefined) return undefined;
    try {
      return this.fromBytes(name, entry, bytes);
    } catch {
      entry.blob = undefined;
      entry.stored = undefined;
      const again = this.bytesOf(name, entry);
      return again === undefined ? undefined : this.fromBytes(name, entry, again);
    }
  }

  private snapshot(): Map<string, EntryToWrite[]> {
    const out = new Map<string, EntryToWrite[]>();
    for (const name of this.allNames()) {
      const items: EntryToWrite[] = [];
      for (const entry of this.known(name)) {
        const parts = entryParts(entry, () => this.bytesOf(name, entry));
        if (parts !== undefined) items.push({ version: entry.version, stamp: entry.stamp, ...parts });
      }
      if (items.length > 0) out.set(name, items);
    }
    return out;
  }
}

export function createTableRepository(options: TableOptions): Repository {
  return new PackageTable(options);
}
