// When extraction inflates compressed data in one synchronous call instead of a stream: small
// inputs (most source archives are a few KB), bounded on both sides so memory stays bounded.
// Shared by extract.ts (a whole .tar.gz) and zip-extract.ts (one deflated entry).

/** Compressed bytes read whole: a .tar.gz, or one zip entry, of at most this size… */
export const SMALL_COMPRESSED = 1 << 20;
/** …inflated in one call while they inflate to at most this (else streamed, from the start). */
export const SMALL_INFLATED = 32 << 20;
