// PURE: what an SBOM says about a lock file (packages with licences, sources, checksums and
// dependencies; the generating tool; the time), and the helpers both formats share: package URLs,
// checksum algorithm names and a serial number derived from the content (same lock, same SBOM).
import { createHash } from "node:crypto";
import type { PackageKind } from "./graph.js";

export interface SbomSource {
  /** The archive URL, or `git+…#<commit>`. */
  url: string;
  /** As opam writes them: `sha256=<hex>`, `sha512=<hex>`, `md5=<hex>`. */
  hashes: string[];
}

export interface SbomPackage {
  name: string;
  version: string;
  kind: PackageKind;
  /** The opam `license:` strings ([] = none declared). */
  licenses: string[];
  homepage: string | undefined;
  devRepo: string | undefined;
  source: SbomSource | undefined;
}

export interface SbomInput {
  tool: { name: string; version: string };
  /** ISO 8601 in UTC, seconds precision (`2024-01-01T00:00:00Z`). */
  timestamp: string;
  /** The lock file's root packages (the first is the SBOM's subject). */
  roots: string[];
  /** Sorted by name. */
  packages: SbomPackage[];
  /** Package name → the names it depends on (sorted). */
  dependencies: ReadonlyMap<string, readonly string[]>;
}

/** `pkg:opam/NAME@VERSION` (purl-spec: name and version percent-encoded, so `+` is `%2B`). */
export function purl(name: string, version: string): string {
  return `pkg:opam/${encodeURIComponent(name)}@${encodeURIComponent(version)}`;
}

export interface Checksum {
  /** opam's name: `sha256`, `sha512`, `md5`. */
  algo: string;
  hex: string;
}

export function parseChecksums(hashes: readonly string[]): Checksum[] {
  return hashes.flatMap((hash) => {
    const match = /^(sha256|sha512|md5)=([0-9a-fA-F]+)$/.exec(hash);
    return match === null ? [] : [{ algo: match[1]!, hex: match[2]!.toLowerCase() }];
  });
}

/** A UUID (version 5 layout) from a digest of the SBOM's content: same input, same serial number. */
export function contentUuid(input: SbomInput, format: string): string {
  const digest = createHash("sha256").update(format).update("\0").update(JSON.stringify({ ...input, dependencies: [...input.dependencies] })).digest("hex");
  const variant = ((parseInt(digest[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-5${digest.slice(13, 16)}-${variant}${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
}

/** SOURCE_DATE_EPOCH (seconds) when set, else `now`; seconds precision, UTC. */
export function sbomTimestamp(sourceDateEpoch: string | undefined, now: Date): string | { error: string } {
  let date = now;
  if (sourceDateEpoch !== undefined && sourceDateEpoch !== "") {
    if (!/^\d{1,12}$/.test(sourceDateEpoch)) return { error: `SOURCE_DATE_EPOCH must be a number of seconds since 1970, got ${JSON.stringify(sourceDateEpoch)}` };
    date = new Date(Number(sourceDateEpoch) * 1000);
  }
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
