// Short hashes that name files (index caches, code caches): FNV-1a over a string's UTF-16 code
// units, in hex. Names, not defences: whatever such a file holds is checked when it is read.
// Pure JavaScript so that naming a file never loads node:crypto (~6 ms of a command's start).

/** 32-bit FNV-1a of `text` from the offset basis `seed`, as 8 hex digits. */
export function fnv1a(text: string, seed = 0x811c9dc5): string {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/** 32 hex digits: four FNV-1a lanes from different offset bases (a collision costs a rewrite of the file, never a wrong answer). */
export function nameHash(text: string): string {
  return [0x811c9dc5, 0x050c5d1f, 0x9e3779b9, 0x7f4a7c15].map((seed) => fnv1a(text, seed)).join("");
}
