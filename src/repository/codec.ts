// The bytes of one index-cache entry: an opam text (parsed on first use), an opam text with the
// facts the solver reads (package-facts.ts), or the UserError its file produced; and a
// fingerprint of the code the bytes depend on.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UserError, type ErrorCode } from "../core/errors.js";

/** First byte of an entry: a failure (JSON after it), a text (u32 length of the file name, the
 * file name, the opam text; all UTF-8), or facts and text (u32 length of the file name, the file
 * name, u32 length of the facts, the facts JSON, the opam text). */
const FAILURE = 2;
const TEXT = 3;
const FACTS = 4;

/** Bumped by hand when the byte layout below changes. */
const CODEC_VERSION = 5;

export function encodeFailure(error: UserError): Buffer {
  const body = JSON.stringify({ code: error.code, message: error.message, hint: error.hint });
  return Buffer.concat([Buffer.from([FAILURE]), Buffer.from(body, "utf8")]);
}

/** The first part of a text entry for `file`; the opam text's bytes are the second part. */
export function textEntryHeader(file: string): Buffer {
  const name = Buffer.from(file, "utf8");
  const header = Buffer.allocUnsafe(5 + name.length);
  header[0] = TEXT;
  header.writeUInt32LE(name.length, 1);
  name.copy(header, 5);
  return header;
}

/** A whole text entry (header and text in one buffer). */
export function encodeText(file: string, text: Buffer): Buffer {
  return Buffer.concat([textEntryHeader(file), text]);
}

/** The first part of a facts entry for `file`; the opam text's bytes are the second part. */
export function factsEntryHeader(file: string, facts: string): Buffer {
  const name = Buffer.from(file, "utf8");
  const json = Buffer.from(facts, "utf8");
  const header = Buffer.allocUnsafe(9 + name.length + json.length);
  header[0] = FACTS;
  header.writeUInt32LE(name.length, 1);
  name.copy(header, 5);
  header.writeUInt32LE(json.length, 5 + name.length);
  json.copy(header, 9 + name.length);
  return header;
}

/** Where the parts of a text or facts entry sit; undefined for other entries. */
function layoutOf(bytes: Buffer): { file: [number, number]; facts?: [number, number]; text: number } | undefined {
  if (bytes[0] !== TEXT && bytes[0] !== FACTS) return undefined;
  const fileEnd = 5 + bytes.readUInt32LE(1);
  if (bytes[0] === TEXT) {
    if (fileEnd > bytes.length) throw new Error("truncated text entry");
    return { file: [5, fileEnd], text: fileEnd };
  }
  if (fileEnd + 4 > bytes.length) throw new Error("truncated facts entry");
  const factsEnd = fileEnd + 4 + bytes.readUInt32LE(fileEnd);
  if (factsEnd > bytes.length) throw new Error("truncated facts entry");
  return { file: [5, fileEnd], facts: [fileEnd + 4, factsEnd], text: factsEnd };
}

/** The file name and opam text of a text or facts entry; undefined for other entries. */
export function textOfEntry(bytes: Buffer): { file: string; text: string } | undefined {
  const layout = layoutOf(bytes);
  if (layout === undefined) return undefined;
  return { file: bytes.toString("utf8", ...layout.file), text: bytes.toString("utf8", layout.text) };
}

/** The opam text's bytes of a text or facts entry (a view); undefined for other entries. */
export function textBytesOfEntry(bytes: Buffer): Buffer | undefined {
  const layout = layoutOf(bytes);
  return layout === undefined ? undefined : bytes.subarray(layout.text);
}

export function isFactsEntry(bytes: Buffer): boolean {
  return bytes[0] === FACTS;
}

/** How many leading bytes of a facts entry hold its file name and facts (0 for other entries). */
export function factsHeadLength(bytes: Buffer): number {
  return bytes[0] === FACTS ? layoutOf(bytes)!.text : 0;
}

/** The file name and facts JSON of a facts entry; undefined for other entries. */
export function factsOfEntry(bytes: Buffer): { file: string; facts: string } | undefined {
  const layout = layoutOf(bytes);
  if (layout?.facts === undefined) return undefined;
  return { file: bytes.toString("utf8", ...layout.file), facts: bytes.toString("utf8", ...layout.facts) };
}

/** The UserError a failure entry holds (not for text entries). Throws on bad bytes. */
export function decodeFailure(bytes: Buffer): UserError {
  if (bytes[0] !== FAILURE) throw new Error(`unknown index entry tag ${String(bytes[0])}`);
  const failure = JSON.parse(bytes.toString("utf8", 1)) as { code: ErrorCode; message: string; hint?: string };
  return new UserError(failure.code, failure.message, failure.hint === undefined ? {} : { hint: failure.hint });
}

let fingerprint: string | undefined;

/**
 * The CLI bundle's fingerprint, written in by scripts/bundle.mjs (esbuild `define`) from the
 * compiled modules it bundled; undeclared when the modules themselves run (tests, sources).
 */
declare const __CODEC_FINGERPRINT__: string | undefined;

/**
 * A digest of the parser and package-model sources (every file of `src/opam/`, compiled or
 * not: failure entries hold their errors), of this codec and of package-facts.ts (facts entries
 * hold models): an index cache written by other code is never trusted. The bundle knows it from
 * its build, which spares each command reading and hashing those 22 files (~4 ms).
 */
export function codecFingerprint(): string {
  fingerprint ??= typeof __CODEC_FINGERPRINT__ === "string" ? __CODEC_FINGERPRINT__ : fingerprintOfSources();
  return fingerprint;
}

function fingerprintOfSources(): string {
  // Loaded here only: the bundle never gets here, and node:crypto costs a command ~6 ms to load.
  const { createHash } = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  const hash = createHash("sha256").update(`codec ${CODEC_VERSION}\n`);
  // This module sits one directory below the source root (src/ or dist/src/), which holds every
  // module the digest covers, in this module's own extension (the bundle never gets here).
  const here = fileURLToPath(import.meta.url);
  const sourceRoot = path.join(path.dirname(here), "..");
  const opamDir = path.join(sourceRoot, "opam");
  const files = readdirSync(opamDir)
    .filter((file) => /\.(js|ts)$/u.test(file) && !/\.test\.(js|ts)$/u.test(file) && !file.endsWith(".d.ts"))
    .sort();
  const own = ["codec", "package-facts"].map((name) => path.join(sourceRoot, "repository", `${name}${path.extname(here)}`));
  for (const file of [...files.map((f) => path.join(opamDir, f)), ...own]) {
    hash.update(`${path.basename(file)}\n`).update(readFileSync(file));
  }
  return hash.digest("hex").slice(0, 32);
}
