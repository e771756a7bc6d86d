// Reader-worker entry of cold-parse.ts: walks `packages/` in order and reads every opam file into
// the shared pool (text, then `name\tversion\tstamp\tfile`), publishing each as soon as it is
// there. It never parses, so it loads no parser code. On any failure it stops and says so.
import { workerData } from "node:worker_threads";
import { readFileInto } from "./file-read.js";
import { DONE, HEARTBEAT, PUBLISHED, STATE, STOPPED, TABLE_CAPACITY, TOO_BIG } from "./cold-parse.js";
import { packageDirNames, versionDirs } from "./tree.js";

interface ReaderInput {
  packagesDir: string;
  pool: SharedArrayBuffer;
  table: Int32Array;
  control: Int32Array;
}

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

/** False when the pool or the table is full (the main thread then reads the rest itself). */
function readOne(name: string, version: string, file: string): boolean {
  if (count >= TABLE_CAPACITY) return false;
  const read = readFileInto(file, pool, cursor);
  if (read === undefined) return true;
  const meta = Buffer.from(`${name}\t${version}\t${read.stamp}\t${file}`, "utf8");
  const start = cursor;
  const textLength = read.fits ? read.length : TOO_BIG;
  const metaAt = read.fits ? start + read.length : start;
  if (metaAt + meta.length > pool.length) return false;
  meta.copy(pool, metaAt);
  cursor = metaAt + meta.length;
  publish(start, textLength, meta.length);
  return true;
}

function run(): boolean {
  for (const name of packageDirNames(input.packagesDir).sort()) {
    Atomics.add(input.control, HEARTBEAT, 1);
    for (const [version, file] of versionDirs(input.packagesDir, name)) if (!readOne(name, version, file)) return false;
  }
  return true;
}

let state = STOPPED;
try {
  state = run() ? DONE : STOPPED;
} finally {
  Atomics.store(input.control, STATE, state);
  Atomics.notify(input.control, PUBLISHED);
}
