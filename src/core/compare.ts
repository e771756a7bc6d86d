// The one bytewise string order (UTF-16 code units, locale-independent) that sorts names, paths
// and keys wherever output must not depend on the machine's locale.

/** `a` against `b` by code units: -1, 0 or 1 (Array.prototype.sort's comparator). */
export const bytewise = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
