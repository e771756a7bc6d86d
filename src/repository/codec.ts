// The bytes of one index-cache entry: an opam text (parsed on first use) or the UserError its file
// produced; and a fingerprint of the code the bytes depend on.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UserError, type ErrorCode } from "../core/errors.js";

/** First byte of an entry: a failure (JSON after it) or a text (u32 length of the file name, the
 * file name, the opam text; all UTF-8). */
const FAILURE = 2;
const TEXT = 3;

/** Bumped by hand when the byte layout below changes. */
const CODEC_VERSION = 4;

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

/** The file name and opam text of a text entry; undefined for other entries. */
export function textOfEntry(bytes: Buffer): { file: string; text: string } | undefined {
  if (bytes[0] !== TEXT) return undefined;
  const end = 5 + bytes.readUInt32LE(1);
  if (end > bytes.length) throw new Error("truncated text entry");
  return { file: bytes.toString("utf8", 5, end), text: bytes.toString("utf8", end) };
}

/** The UserError a failure entry holds (not for text entries). Throws on bad bytes. */
export function decodeFailure(bytes: Buffer): UserError {
  if (bytes[0] !== FAILURE) throw new Error(`unknown index entry tag ${String(bytes[0])}`);
  const failure = JSON.parse(bytes.toString("utf8", 1)) as { code: ErrorCode; message: string; hint?: string };
  return new UserError(failure.code, failure.message, failure.hint === undefined ? {} : { hint: failure.hint });
}

let fingerprint: string | undefined;

/**
 * A digest of the parser and package-model sources (every file of `src/opam/`, compiled or
 * not: failure entries hold their errors) and of this codec: an index cache written by other code
 * is never trusted.
 */
export function codecFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const hash = createHash("sha256").update(`codec ${CODEC_VERSION}\n`);
  // This module and the CLI bundle (dist/src/cli/main.bundle.js) both sit one directory below
  // the source root, which still holds every module (compiled or not) the digest covers.
  const here = fileURLToPath(import.meta.url);
  const sourceRoot = path.join(path.dirname(here), "..");
  const opamDir = path.join(sourceRoot, "opam");
  const files = readdirSync(opamDir)
    .filter((file) => /\.(js|ts)$/u.test(file) && !/\.test\.(js|ts)$/u.test(file) && !file.endsWith(".d.ts"))
    .sort();
  const codec = path.join(sourceRoot, "repository", `codec${path.extname(here)}`);
  for (const file of [...files.map((f) => path.join(opamDir, f)), codec]) {
    hash.update(`${path.basename(file)}\n`).update(readFileSync(file));
  }
  fingerprint = hash.digest("hex").slice(0, 32);
  return fingerprint;
}
