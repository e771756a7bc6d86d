// Checksums as opam writes them (`sha256=<hex>`, `sha512=…`, `md5=…`): parsing, ordering
// (strongest first), and hashing while bytes stream past. Never trusts a file it has not hashed.
import { createHash, type Hash as NodeHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { UserError } from "../core/errors.js";

export type HashAlgo = "sha512" | "sha256" | "md5";

export interface Hash {
  algo: HashAlgo;
  /** Lower-case hex digest. */
  hex: string;
}

const STRENGTH: Record<HashAlgo, number> = { sha512: 3, sha256: 2, md5: 1 };
const HEX_LENGTH: Record<HashAlgo, number> = { sha512: 128, sha256: 64, md5: 32 };

export function formatHash(hash: Hash): string {
  return `${hash.algo}=${hash.hex}`;
}

/** Parse `algo=hex` strings, strongest first (sha512 > sha256 > md5); `context` names the culprit. */
export function parseHashes(texts: readonly string[], context: string): Hash[] {
  const hashes = texts.map((text): Hash => {
    const match = /^(sha512|sha256|md5)=([0-9a-fA-F]+)$/.exec(text.trim());
    const algo = match?.[1] as HashAlgo | undefined;
    if (!match || !algo || match[2].length !== HEX_LENGTH[algo]) {
      throw new UserError("LOCKFILE_INVALID", `Invalid checksum ${JSON.stringify(text)} for ${context}: expected sha256=<hex>, sha512=<hex> or md5=<hex>`);
    }
    return { algo, hex: match[2].toLowerCase() };
  });
  return hashes.sort((a, b) => STRENGTH[b.algo] - STRENGTH[a.algo]);
}

/** Feeds every chunk to one hasher per algorithm listed in `expected`. */
export class MultiHasher {
  private readonly hashers: Map<HashAlgo, NodeHash>;
  bytes = 0;
  constructor(algos: readonly HashAlgo[]) {
    this.hashers = new Map([...new Set(algos)].map((algo) => [algo, createHash(algo)]));
  }
  update(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    for (const hasher of this.hashers.values()) hasher.update(chunk);
  }
  digests(): Map<HashAlgo, string> {
    return new Map([...this.hashers].map(([algo, hasher]) => [algo, hasher.digest("hex")]));
  }
}

/** A checksum that did not match: a value the caller turns into its own error. */
export interface ChecksumMismatch {
  expected: Hash;
  actual: Hash;
}

/** The first listed hash whose digest differs, or undefined when all match. */
export function findMismatch(expected: readonly Hash[], digests: Map<HashAlgo, string>): ChecksumMismatch | undefined {
  for (const hash of expected) {
    const actual = digests.get(hash.algo);
    if (actual !== hash.hex) return { expected: hash, actual: { algo: hash.algo, hex: actual ?? "(not computed)" } };
  }
  return undefined;
}

const HASH_CHUNK = 1 << 20;

/**
 * Hash a whole file with the given algorithms, reading it into one buffer of at most 1 MB (sized
 * to the file: a pull verifies every cached archive, most of them a few KB, and a stream's 1 MB
 * buffer per file was most of what that allocated).
 */
export async function hashFile(file: string, algos: readonly HashAlgo[]): Promise<Map<HashAlgo, string>> {
  const hasher = new MultiHasher(algos);
  // Synchronous reads: most archives are a few KB, read in one call, where each thread-pool
  // round trip (open, stat, read, read, close) cost more than the read; a large file lets other
  // work run between its 1 MB chunks.
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(HASH_CHUNK, fstatSync(fd).size)));
    for (let read = readSync(fd, buffer, 0, buffer.length, null); read > 0; read = readSync(fd, buffer, 0, buffer.length, null)) {
      hasher.update(buffer.subarray(0, read));
      if (read === HASH_CHUNK) await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    closeSync(fd);
  }
  return hasher.digests();
}

export function mismatchMessage(url: string, mismatch: ChecksumMismatch): string {
  return `Checksum mismatch for ${url}:\n  expected ${formatHash(mismatch.expected)}\n  got      ${formatHash(mismatch.actual)}`;
}
