// A cold full parse. Every opam file is read and parsed (so files with a syntax error are known
// at once and recorded as failures) but only its text is kept, as a view of the buffer it was
// read into: building, holding or encoding 18,000 package models costs more than the parse
// itself. readOpam builds a package from its text on first use (the index cache keeps the text).
// Big trees use a reader thread (reader.ts).
import os from "node:os";
import { encodeFailure } from "./codec.js";
import { readFileInto } from "./file-read.js";
import { syntaxError } from "./opam-text.js";
import { parseWithReader } from "./reader.js";
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
  file: string;
  /** The opam text (a view, never copied); undefined when `failure` is set. */
  text?: Buffer;
  /** The failure entry of a file that does not parse (codec.ts). */
  failure?: Buffer;
}

/** Below this many packages a reader thread's start-up costs more than it saves. */
export const MIN_NAMES_FOR_READER = 200;

/** Two threads (the main one and a reader) when the machine has at least two cores. */
export function defaultThreads(): number {
  return os.availableParallelism() >= 2 ? 2 : 1;
}

/** Parses `bytes` (the text of `source`) and returns what a cold load keeps of it. */
export function checkText(source: { name: string; version: string; file: string }, stamp: string, bytes: Buffer): ParsedText {
  const error = syntaxError(bytes.toString("utf8"), source.file);
  const kept = error === undefined ? { text: bytes } : { failure: encodeFailure(error) };
  return { name: source.name, version: source.version, stamp, file: source.file, ...kept };
}

/** Large buffers that files are read into and that the kept texts are views of. */
class TextStore {
  private chunk = Buffer.allocUnsafe(0);
  private used = 0;

  /** Reads `source` into the store; undefined when it is gone. */
  read(source: TextSource): { bytes: Buffer; stamp: string } | undefined {
    let read = source.fill(this.chunk, this.used);
    if (read !== undefined && !read.fits) {
      this.chunk = Buffer.allocUnsafe(Math.max(read.length, 4 << 20));
      this.used = 0;
      read = source.fill(this.chunk, 0);
    }
    if (read === undefined || !read.fits) return undefined;
    const bytes = this.chunk.subarray(this.used, (this.used += read.length));
    return { bytes, stamp: read.stamp };
  }
}

/** Reads and parses sources on the main thread. */
export function parseTexts(sources: Iterable<TextSource>, out: ParsedText[] = [], store = new TextStore()): ParsedText[] {
  for (const source of sources) {
    const read = store.read(source);
    if (read !== undefined) out.push(checkText(source, read.stamp, read.bytes));
  }
  return out;
}

/** The opam files of `names` under `packagesDir`, except the `name.version`s in `skip`. */
export function* treeSources(packagesDir: string, names: readonly string[], skip: ReadonlySet<string> = new Set()): Generator<TextSource> {
  for (const name of names) {
    for (const [version, file] of versionDirs(packagesDir, name)) {
      if (!skip.has(`${name}.${version}`)) yield { name, version, file, fill: (target, offset) => readFileInto(file, target, offset) };
    }
  }
}

/** Reads and parses every opam file of `packagesDir`; `fromReader` counts the reader's share. */
export function parseTree(packagesDir: string, useReader: boolean): { texts: ParsedText[]; fromReader: number } {
  const names = packageDirNames(packagesDir).sort();
  const withReader = useReader && names.length >= MIN_NAMES_FOR_READER ? parseWithReader(packagesDir, names) : undefined;
  return withReader ?? { texts: parseTexts(treeSources(packagesDir, names)), fromReader: 0 };
}
