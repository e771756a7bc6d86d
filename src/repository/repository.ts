// The Repository seam: what the solver adapter asks of an opam repository (names, versions newest
// first, parsed opam files), and the RepositorySpec union saying where one lives. Types only.
import type { OpamPackage } from "../opam/package.js";
import type { Reporter } from "../core/reporter.js";
import type { DerivedStore } from "./derived-store.js";

export type { DerivedStore } from "./derived-store.js";

/**
 * An opened opam repository (or a stack of them). Opening is async (it may clone, download,
 * extract or read an index cache); after that every question is answered synchronously, so
 * the pure solver can call it. Answers are lazy and memoised:
 *
 * - `versions(name)` lists the versions present, sorted newest first by `compareVersions`
 *   (compare-equal spellings such as `1.01`/`1.1` are both listed); `[]` for an unknown name.
 * - `readOpam(name, version)` returns the parsed package (undefined when absent). A file that
 *   fails to parse throws the parser's `OPAM_PARSE` UserError naming the file, every time it is
 *   asked for; other packages are unaffected.
 * - For a directory repository, the answers for a name are checked against the files
 *   (directory listing and each opam file's size/mtime/inode) when the name is first asked for,
 *   so an edited repository is never answered from a stale index.
 * - Opening without a valid index cache reads every opam file and checks its syntax; the typed
 *   package is built on first `readOpam` and the cache then keeps it (written by `flush`, which
 *   also runs by itself once the caller yields to the event loop after the repository learnt
 *   something).
 */
export interface Repository {
  /** Short name for messages: the opam repository name, a directory name, or the URL. */
  readonly label: string;
  /** The URL to record in the lock file (`git+…#<commit>` for git repositories). */
  readonly url: string;
  /** The commit read, for git repositories. */
  readonly commit: string | undefined;
  /** Every package name with at least one version directory, sorted bytewise. */
  packageNames(): string[];
  versions(name: string): string[];
  readOpam(name: string, version: string): OpamPackage | undefined;
  /**
   * `readOpam` for a caller that keeps what it derives from the package, not the package (the
   * solver's records of versions): the index keeps the version's facts only once `readOpam` asks
   * for it. Absent: use `readOpam`.
   */
  readOpamOnce?(name: string, version: string): OpamPackage | undefined;
  /**
   * Whether `name.version`, spelled exactly so, is here, checked against that version's file
   * alone (no listing of the name's versions): "present" (readOpam then answers from it),
   * "no-name" (no such package at all), "unknown" (ask `versions`). For views that read a few
   * known versions (`why` over a lock file); absent: ask `versions`.
   */
  probe?(name: string, version: string): Probe;
  /**
   * A store of values derived from versions' opam files under `kind` (the solver's judgement of
   * them), kept with the index cache; a value holds while its version's file is unchanged.
   * Absent when there is no index cache.
   */
  derived?(kind: string): DerivedStore;
  /**
   * Persists what this process learnt into the index cache (a cold load, packages built, files
   * that changed) and resolves when the file is written. Never rejects: the cache is optional.
   */
  flush(): Promise<void>;
}

export type Probe = "present" | "no-name" | "unknown";

/** `name.version` provided by a lower repository of a stack but hidden by a higher one. */
export interface Shadowing {
  name: string;
  /** The version that is visible (from `winner`). */
  version: string;
  winner: string;
  /** The hidden provider (label) and its spelling of the version (compare-equal). */
  hidden: { label: string; version: string };
}

/** Several repositories, first listed wins (`stack.ts`). */
export interface StackedRepository extends Repository {
  readonly members: readonly Repository[];
  /** The member that provides `name.version`, if any. */
  providerOf(name: string, version: string): Repository | undefined;
  /** What was hidden, for the names asked about so far (or for `name`), in stack order. */
  shadowed(name?: string): Shadowing[];
}

/** Where a repository lives. `url`/`label` override what is recorded and shown. */
export type RepositorySpec =
  /** A local directory with `packages/` (a checkout, or `$OPAMROOT/repo/<name>/`). */
  | { kind: "directory"; path: string; url?: string; label?: string }
  /** A local `.tar.gz` of a repository (`$OPAMROOT/repo/<name>.tar.gz`, a snapshot). */
  | { kind: "archive"; path: string; url?: string; label?: string }
  /** `git+https://…`, `git+file://…`, `git://…`, optionally `#<branch|tag|commit>`. */
  | { kind: "git"; url: string; label?: string }
  /** An `http(s)://` tarball of a repository (or a repository root serving `index.tar.gz`). */
  | { kind: "http"; url: string; label?: string };

/** The effects and settings opening needs; everything has a default except `cacheDir`. */
export interface OpenDeps {
  /** `$XDG_CACHE_HOME/opam-monorepo` (see `toolCacheDir`): `index/` and `repos/` live below. */
  cacheDir: string;
  reporter?: Reporter;
  /** Read and write the parsed-index cache (default true). */
  indexCache?: boolean;
  /** Threads for a cold full parse of a tree: 2 = the main thread parses while a reader thread
   * reads the files; 1 = the main thread alone (default 2 when the machine has 2+ cores). */
  threads?: number;
  /** Environment for git (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Told what opening is doing, for a progress display (never required). */
  onProgress?: (event: OpenProgress) => void;
}

/** What opening a repository is doing: fetching it, reading every file (no index yet), writing its index, done. */
export type OpenProgress =
  | { kind: "fetch"; label: string }
  | { kind: "cold"; label: string }
  | { kind: "read"; label: string; files: number }
  | { kind: "save"; label: string; done: boolean }
  /** `packages` counts the repository's names (a directory listing): called only to draw it. */
  | { kind: "opened"; label: string; packages: () => number };
