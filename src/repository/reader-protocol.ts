// What the main thread and the reader worker share during a cold parse (reader.ts,
// read-worker.ts): control words, states and the text table layout. Constants only.

/** Control words (Int32Array indices). */
export const PUBLISHED = 0, STATE = 1, HEARTBEAT = 2, NEXT_NAME = 3, STARTED = 4;
export const CONTROL_WORDS = 5;
/** Values of STATE. */
export const RUNNING = 0, DONE = 1, STOPPED = -1;
/** Per published text, three words: start in the pool, text length (or TOO_BIG), meta length.
 * The text is followed by its meta `name\tversion\tstamp\tfile`; a TOO_BIG text is not in the
 * pool (read it yourself) and its meta starts at `start`. */
export const TOO_BIG = -2;
export const TABLE_CAPACITY = 1 << 20;
/** Virtual size of the text pool; only the pages written cost memory. */
export const POOL_BYTES = 256 << 20;

export interface ReaderInput {
  packagesDir: string;
  /** Package names, claimed one at a time through NEXT_NAME by both threads. */
  names: string[];
  pool: SharedArrayBuffer;
  table: Int32Array;
  control: Int32Array;
}
