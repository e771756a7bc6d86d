// A cold full parse. For a repository tree, a reader worker walks the tree and reads every opam
// file (with its stamp) into a shared text pool while the main thread parses and encodes what
// has been published: file I/O overlaps parsing, and the parser is compiled by one thread only.
// Archives (texts already in memory), small trees, or code run from TypeScript sources (tests)
// are parsed on the main thread alone. Results keep the walk order.
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { readFileInto, readWithStamp } from "./file-read.js";
import { encodeOpamText } from "./opam-text.js";
import { packageDirNames, versionDirs } from "./tree.js";

/** One opam file to parse; `fill` copies its bytes into `target` at `offset`. */
export interface TextSource {
  name: string;
  version: string;
  /** Shown in error messages. */
  file: string;
  /** Undefined when the file is gone; `fits: false` (nothing copied) when there is no room. */
  fill(target: Buffer, offset: number): { stamp: string; length: number; fits: boolean } | undefined;
}

export interface ParsedText {
  name: string;
  version: string;
  stamp: string;
  blob: Buffer;
}

/** Control words shared with read-worker.ts. */
export const PUBLISHED = 0, STATE = 1, HEARTBEAT = 2;
export const RUNNING = 0, DONE = 1, STOPPED = -1;
/** Per text: start, length (TOO_BIG: not in the pool, read it yourself), meta length. */
export const TOO_BIG = -2;
export const TABLE_CAPACITY = 1 << 20;
const POOL_BYTES = 256 << 20;
/** Below this many packages a worker's start-up costs more than it saves. */
export const MIN_NAMES_FOR_WORKER = 200;
/** Give up on a reader worker that shows no sign of life for this long. */
const STALL_MS = 30_000;

/** Two threads (the main one and a reader) when the machine has at least two cores. */
export function defaultThreads(): number {
  return os.availableParallelism() >= 2 ? 2 : 1;
}

/** Parses every source on the main thread. */
export function parseTexts(sources: Iterable<TextSource>): ParsedText[] {
  let scratch = Buffer.allocUnsafe(1 << 16);
  const out: ParsedText[] = [];
  for (const source of sources) {
    let read = source.fill(scratch, 0);
    if (read !== undefined && !read.fits) read = source.fill((scratch = Buffer.allocUnsafe(read.length * 2)), 0);
    if (read === undefined || !read.fits) continue;
    const blob = encodeOpamText(scratch.toString("utf8", 0, read.length), source.file, source.name, source.version);
    out.push({ name: source.name, version: source.version, stamp: read.stamp, blob });
  }
  return out;
}

function* treeSources(packagesDir: string, skip: ReadonlySet<string> = new Set()): Generator<TextSource> {
  for (const name of packageDirNames(packagesDir).sort()) {
    for (const [version, file] of versionDirs(packagesDir, name)) {
      if (!skip.has(`${name}.${version}`)) yield { name, version, file, fill: (target, offset) => readFileInto(file, target, offset) };
    }
  }
}

interface Shared {
  pool: Buffer;
  table: Int32Array;
  control: Int32Array;
}

/** Parses published text `i`; a text that did not fit the pool is read here. */
function consume(shared: Shared, i: number): ParsedText | undefined {
  const start = shared.table[i * 3]!;
  const length = shared.table[i * 3 + 1]!;
  const metaStart = length === TOO_BIG ? start : start + length;
  const meta = shared.pool.toString("utf8", metaStart, metaStart + shared.table[i * 3 + 2]!);
  const [name, version, stamp] = meta.split("\t", 3) as [string, string, string];
  const file = meta.slice(name.length + version.length + stamp.length + 3);
  if (length === TOO_BIG) {
    const read = readWithStamp(file);
    return read && { name, version, stamp: read.stamp, blob: encodeOpamText(read.text, file, name, version) };
  }
  const blob = encodeOpamText(shared.pool.toString("utf8", start, start + length), file, name, version);
  return { name, version, stamp, blob };
}

/** Waits for text `i`; false when the worker finished (or stopped, or stalled) without it. */
function waitFor(shared: Shared, i: number): boolean {
  let beat = Atomics.load(shared.control, HEARTBEAT);
  let since = Date.now();
  for (;;) {
    const published = Atomics.load(shared.control, PUBLISHED);
    if (i < published) return true;
    if (Atomics.load(shared.control, STATE) !== RUNNING) return i < Atomics.load(shared.control, PUBLISHED);
    Atomics.wait(shared.control, PUBLISHED, published, 100);
    const now = Atomics.load(shared.control, HEARTBEAT);
    if (now !== beat) [beat, since] = [now, Date.now()];
    else if (Date.now() - since > STALL_MS) return false;
  }
}

function readerScript(): URL | undefined {
  const url = new URL("./read-worker.js", import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/** Shared buffers for a reader worker; undefined when the system refuses the address space. */
function allocateShared(): Shared | undefined {
  try {
    return {
      pool: Buffer.from(new SharedArrayBuffer(POOL_BYTES)),
      table: new Int32Array(new SharedArrayBuffer(TABLE_CAPACITY * 12)),
      control: new Int32Array(new SharedArrayBuffer(12)),
    };
  } catch {
    return undefined;
  }
}

/**
 * Reads and parses every opam file of `packagesDir`, with a reader worker when `useWorker` and
 * the tree is big enough for it to pay off.
 */
export function parseTree(packagesDir: string, useWorker: boolean): { texts: ParsedText[]; fromReader: number } {
  const script = useWorker && packageDirNames(packagesDir).length >= MIN_NAMES_FOR_WORKER ? readerScript() : undefined;
  const shared = script === undefined ? undefined : allocateShared();
  if (script === undefined || shared === undefined) return { texts: parseTexts(treeSources(packagesDir)), fromReader: 0 };
  const worker = new Worker(script, { workerData: { packagesDir: path.resolve(packagesDir), ...shared, pool: shared.pool.buffer } });
  worker.on("error", () => Atomics.store(shared.control, STATE, STOPPED));
  const out: ParsedText[] = [];
  const seen = new Set<string>();
  for (let i = 0; waitFor(shared, i); i++) {
    const parsed = consume(shared, i);
    if (parsed === undefined) continue;
    out.push(parsed);
    seen.add(`${parsed.name}.${parsed.version}`);
  }
  const fromReader = out.length;
  if (Atomics.load(shared.control, STATE) === DONE) return { texts: out, fromReader };
  void worker.terminate();
  return { texts: [...out, ...parseTexts(treeSources(packagesDir, seen))], fromReader };
}
