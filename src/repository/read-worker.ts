// Reader-worker entry of reader.ts: claims package names from the shared counter, reads their
// opam files into the shared pool (text, then `name\tversion\tstamp\tfile`) and publishes each
// as soon as it is there. It never parses, so it loads no parser code. On failure it stops and
// says so; the main thread then reads what is missing itself.
import { workerData } from "node:worker_threads";
import { readFileInto } from "./file-read.js";
import { DONE, HEARTBEAT, NEXT_NAME, PUBLISHED, STARTED, STATE, STOPPED, TABLE_CAPACITY, TOO_BIG, type ReaderInput } from "./reader-protocol.js";
import { versionDirs } from "./tree.js";

const input = workerData as ReaderInput;
const pool = Buffer.from(input.pool);
let cursor = 0;
let count = 0;

function publish(start: number, length: number, metaLength: number): void {
  input.table.set([start, length, metaLength], count * 3);
  Atomics.store(input.control, PUBLISHED, ++count);
  Atomics.add(input.control, HEARTBEAT, 1);
  if (count % 8 === 0) Atomics.notify(input.control, PUBLISHED);
}

/** False when the pool or the table is full. */
function readOne(name: string, version: string, file: string): boolean {
  if (count >= TABLE_CAPACITY) return false;
  const read = readFileInto(file, pool, cursor);
  if (read === undefined) return true;
  const meta = `${name}\t${version}\t${read.stamp}\t${file}`;
  const metaAt = read.fits ? cursor + read.length : cursor;
  if (metaAt + meta.length * 3 > pool.length) return false;
  const metaLength = pool.write(meta, metaAt, "utf8");
  publish(cursor, read.fits ? read.length : TOO_BIG, metaLength);
  cursor = metaAt + metaLength;
  return true;
}

function run(): boolean {
  for (let i = Atomics.add(input.control, NEXT_NAME, 1); i < input.names.length; i = Atomics.add(input.control, NEXT_NAME, 1)) {
    const name = input.names[i]!;
    Atomics.add(input.control, HEARTBEAT, 1);
    for (const [version, file] of versionDirs(input.packagesDir, name)) if (!readOne(name, version, file)) return false;
  }
  return true;
}

Atomics.store(input.control, STARTED, 1);
let state = STOPPED;
try {
  state = run() ? DONE : STOPPED;
} finally {
  Atomics.store(input.control, STATE, state);
  Atomics.notify(input.control, PUBLISHED);
}
