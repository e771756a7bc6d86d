// Opens a repository through the index cache: a valid cache file gives a warm table whose entries
// are read lazily from it; otherwise `cold()` parses everything and the table writes the cache
// once the caller yields to the event loop (flush() writes at once and awaits it). Cache write
// failures never fail the command.
import { codecFingerprint } from "./codec.js";
import { indexFilePath, loadIndex, writeIndex, type EntryToWrite, type IndexKey } from "./index-cache.js";
import { createTableRepository } from "./package-table.js";
import type { TableEntry, TableSource } from "./table-entry.js";
import type { OpenDeps, Repository } from "./repository.js";

export interface IndexedOptions {
  label: string;
  url: string;
  commit: string | undefined;
  identity: string;
  /** Content stamp ("" when entries carry their own stamps). */
  stamp: string;
  source: TableSource;
  /** Reads and parses every opam file. */
  cold: () => Promise<Map<string, TableEntry[]>>;
}

export async function openIndexed(options: IndexedOptions, deps: OpenDeps): Promise<Repository> {
  const key: IndexKey = { identity: options.identity, stamp: options.stamp, codec: codecFingerprint() };
  const file = indexFilePath(deps.cacheDir, key.identity);
  const useCache = deps.indexCache !== false;
  const persist = useCache
    ? async (snapshot: () => Map<string, EntryToWrite[]>) => {
        deps.onProgress?.({ kind: "save", label: options.label, done: false });
        try {
          await writeIndex(file, key, snapshot());
        } catch (error) {
          deps.reporter?.debug(`could not write ${file}: ${String(error)}`);
        }
        deps.onProgress?.({ kind: "save", label: options.label, done: true });
      }
    : undefined;
  const derivedFile = useCache
    ? (kind: string) => ({
        file: `${file}.${kind}`,
        key: { identity: `${key.identity}#${kind}`, stamp: key.stamp, codec: key.codec },
        onWriteError: (error: unknown) => deps.reporter?.debug(`could not write ${file}.${kind}: ${String(error)}`),
      })
    : undefined;
  const info = { label: options.label, url: options.url, commit: options.commit, source: options.source, persist, derivedFile };
  const loaded = useCache ? loadIndex(file, key) : undefined;
  if (loaded?.ok) return createTableRepository({ ...info, entries: new Map(), stored: loaded, fresh: false });
  deps.reporter?.debug(`index cache of ${options.label}: ${loaded?.reason ?? "disabled"}; reading every opam file`);
  deps.onProgress?.({ kind: "cold", label: options.label });
  const entries = await options.cold();
  deps.onProgress?.({ kind: "read", label: options.label, files: [...entries.values()].reduce((sum, list) => sum + list.length, 0) });
  return createTableRepository({ ...info, entries, fresh: true });
}
