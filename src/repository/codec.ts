// Encodes one parsed opam package (or the UserError its file produced) as bytes for the index
// cache and for worker threads (binary.ts), and fingerprints the code the bytes depend on.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UserError, type ErrorCode } from "../core/errors.js";
import type { OpamPackage } from "../opam/package.js";
import { BinaryEncoder, decodeBinary } from "./binary.js";

/** First byte of an entry: a package (binary.ts after it) or a failure (JSON after it). */
const PACKAGE = 1;
const FAILURE = 2;

/** Bumped by hand when the byte layout below changes. */
const CODEC_VERSION = 2;

const encoder = new BinaryEncoder();

export function encodePackage(pkg: OpamPackage): Buffer {
  return encoder.encode(pkg, [PACKAGE]);
}

export function encodeFailure(error: UserError): Buffer {
  const body = JSON.stringify({ code: error.code, message: error.message, hint: error.hint });
  return Buffer.concat([Buffer.from([FAILURE]), Buffer.from(body, "utf8")]);
}

/** The package, or the UserError to throw for it. Throws on bytes it cannot read. */
export function decodeEntry(bytes: Buffer): OpamPackage | UserError {
  const tag = bytes[0];
  if (tag === PACKAGE) return decodeBinary(bytes, 1) as OpamPackage;
  if (tag === FAILURE) {
    const failure = JSON.parse(bytes.toString("utf8", 1)) as { code: ErrorCode; message: string; hint?: string };
    return new UserError(failure.code, failure.message, failure.hint === undefined ? {} : { hint: failure.hint });
  }
  throw new Error(`unknown index entry tag ${String(tag)}`);
}

let fingerprint: string | undefined;

/**
 * A digest of the parser and package-model sources (every file of `src/opam/`, compiled or
 * not) and of this codec and its binary format: an index cache written by other code is never
 * trusted.
 */
export function codecFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const hash = createHash("sha256").update(`codec ${CODEC_VERSION}\n`);
  const here = fileURLToPath(import.meta.url);
  const opamDir = path.join(path.dirname(here), "..", "opam");
  const files = readdirSync(opamDir)
    .filter((file) => /\.(js|ts)$/u.test(file) && !/\.test\.(js|ts)$/u.test(file) && !file.endsWith(".d.ts"))
    .sort();
  for (const file of [...files.map((f) => path.join(opamDir, f)), here, path.join(path.dirname(here), `binary${path.extname(here)}`)]) {
    hash.update(`${path.basename(file)}\n`).update(readFileSync(file));
  }
  fingerprint = hash.digest("hex").slice(0, 32);
  return fingerprint;
}
