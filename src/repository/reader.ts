// The main-thread side of a cold parse with a reader thread: the reader (read-worker.ts) and the
// main thread both claim package names; the reader only reads files into a shared pool, the
// main thread parses what the reader published and, while the reader is still starting up,
// reads packages itself. File I/O overlaps parsing and the parser is compiled in one thread only.
// Any trouble with the reader (failure, full pool, silence) falls back to the main thread.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { checkText, parseTexts, treeSources, type ParsedText } from "./cold-parse.js";
import { readWithStamp } from "./file-read.js";
import {
  CONTROL_WORDS, DONE, HEARTBEAT, NEXT_NAME, POOL_BYTES, PUBLISHED, STARTED, STATE, STOPPED, TABLE_CAPACITY, TOO_BIG,
} from "./reader-protocol.js";

/** Give up on a reader that shows no sign of life for this long. */
const STALL_MS = 30_000;

interface Shared {
  pool: Buffer;
  table: Int32Array;
  control: Int32Array;
}

function readerScript(): URL | undefined {
  // Relative to the source root's child directories, so that the CLI bundle (dist/src/cli/) finds it too.
  const url = new URL("../repository/read-worker.js", import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/** Undefined when the system refuses the address space. */
function allocateShared(): Shared | undefined {
  try {
    return {
      pool: Buffer.from(new SharedArrayBuffer(POOL_BYTES)),
      table: new Int32Array(new SharedArrayBuffer(TABLE_CAPACITY * 12)),
      control: new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4)),
    };
  } catch {
    return undefined;
  }
}

/** Parses published text `i` (kept as a view of the pool); one that did not fit is read here. */
function consume(shared: Shared, i: number): ParsedText | undefined {
  const start = shared.table[i * 3]!;
  const length = shared.table[i * 3 + 1]!;
  const metaStart = length === TOO_BIG ? start : start + length;
  const meta = shared.pool.toString("utf8", metaStart, metaStart + shared.table[i * 3 + 2]!);
  const [name, version, stamp] = meta.split("\t", 3) as [string, string, string];
  const file = meta.slice(name.length + version.length + stamp.length + 3);
  if (length !== TOO_BIG) return checkText({ name, version, file }, stamp, shared.pool.subarray(start, start + length));
  const read = readWithStamp(file);
  return read && checkText({ name, version, file }, read.stamp, read.bytes);
}

/** Waits for news from the reader; false when it has been silent for too long. */
function waitForReader(control: Int32Array, beat: { value: number; since: number }): boolean {
  Atomics.wait(control, PUBLISHED, Atomics.load(control, PUBLISHED), 100);
  const now = Atomics.load(control, HEARTBEAT);
  if (now !== beat.value) Object.assign(beat, { value: now, since: Date.now() });
  return Date.now() - beat.since < STALL_MS;
}

type Outcome = "done" | "fallback";

function pump(shared: Shared, packagesDir: string, names: readonly string[], out: ParsedText[], help: boolean): { outcome: Outcome; fromReader: number } {
  const { control } = shared;
  const beat = { value: Atomics.load(control, HEARTBEAT), since: Date.now() };
  let consumed = 0;
  let fromReader = 0;
  for (;;) {
    if (consumed < Atomics.load(control, PUBLISHED)) {
      const parsed = consume(shared, consumed++);
      if (parsed !== undefined) out.push(parsed), fromReader++;
      continue;
    }
    const state = Atomics.load(control, STATE);
    if (state === DONE && consumed >= Atomics.load(control, PUBLISHED)) return { outcome: "done", fromReader };
    if (state === STOPPED) return { outcome: "fallback", fromReader };
    // Read a package here only while the reader is starting up; after that it keeps ahead.
    const next = help && Atomics.load(control, STARTED) === 0 ? Atomics.add(control, NEXT_NAME, 1) : names.length;
    if (next < names.length) parseTexts(treeSources(packagesDir, [names[next]!]), out);
    else if (help && Atomics.load(control, STARTED) === 0) return { outcome: "done", fromReader };
    else if (!waitForReader(control, beat)) return { outcome: "fallback", fromReader };
  }
}

/**
 * Undefined when no reader thread can be used (no compiled worker, no shared memory). With
 * `help` false the main thread never reads a package itself (tests use it to check the reader).
 */
export function parseWithReader(packagesDir: string, names: readonly string[], help = true): { texts: ParsedText[]; fromReader: number } | undefined {
  const script = readerScript();
  const shared = script === undefined ? undefined : allocateShared();
  if (script === undefined || shared === undefined) return undefined;
  const workerData = { packagesDir: path.resolve(packagesDir), names, pool: shared.pool.buffer, table: shared.table, control: shared.control };
  // worker_threads (with perf_hooks behind it) loads only for a cold parse: a warm lock never pays for it.
  const { Worker } = createRequire(import.meta.url)("node:worker_threads") as typeof import("node:worker_threads");
  const worker = new Worker(script, { workerData });
  worker.on("error", () => Atomics.store(shared.control, STATE, STOPPED));
  const out: ParsedText[] = [];
  const { outcome, fromReader } = pump(shared, packagesDir, names, out, help);
  if (outcome === "done") {
    if (Atomics.load(shared.control, STARTED) === 0) void worker.terminate();
    return { texts: out, fromReader };
  }
  void worker.terminate();
  const seen = new Set(out.map((parsed) => `${parsed.name}.${parsed.version}`));
  return { texts: parseTexts(treeSources(packagesDir, names, seen), out), fromReader };
}
