// opam checksums (opamHash.ml): `md5=…`, `sha256=…`, `sha512=…` or a bare 32-hex md5; the kind
// is case-insensitive, the hex is lower-cased, its length must match. Pure parsing; no hashing.

export type ChecksumAlgo = "md5" | "sha256" | "sha512";

export interface Checksum {
  readonly algo: ChecksumAlgo;
  /** Lower-case hex. */
  readonly hex: string;
}

const HEX_LENGTH: Record<ChecksumAlgo, number> = { md5: 32, sha256: 64, sha512: 128 };
const STRENGTH: Record<ChecksumAlgo, number> = { md5: 0, sha256: 1, sha512: 2 };

function isHex(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** The checksum, or undefined when `text` is not a valid opam checksum. */
export function parseChecksum(text: string): Checksum | undefined {
  const eq = text.indexOf("=");
  const kind = eq < 0 ? "md5" : text.slice(0, eq).toLowerCase();
  const hex = eq < 0 ? text : text.slice(eq + 1);
  if (kind !== "md5" && kind !== "sha256" && kind !== "sha512") return undefined;
  if (hex.length !== HEX_LENGTH[kind] || !isHex(hex)) return undefined;
  return { algo: kind, hex: hex.toLowerCase() };
}

/** `sha256=…` (opam's canonical spelling, also for md5). */
export function formatChecksum(checksum: Checksum): string {
  return `${checksum.algo}=${checksum.hex}`;
}

/** md5 < sha256 < sha512. */
export function compareChecksumStrength(a: ChecksumAlgo, b: ChecksumAlgo): number {
  return STRENGTH[a] - STRENGTH[b];
}

/** The strongest checksum of a list (the first of equal strength), or undefined if empty. */
export function strongestChecksum(checksums: readonly Checksum[]): Checksum | undefined {
  let best: Checksum | undefined;
  for (const c of checksums) if (best === undefined || compareChecksumStrength(c.algo, best.algo) > 0) best = c;
  return best;
}

export function checksumsEqual(a: Checksum, b: Checksum): boolean {
  return a.algo === b.algo && a.hex === b.hex;
}

/** Whether the two lists share at least one identical checksum (same algo and hex). */
export function shareAnyChecksum(a: readonly Checksum[], b: readonly Checksum[]): boolean {
  return a.some((x) => b.some((y) => checksumsEqual(x, y)));
}
