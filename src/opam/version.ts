// opam's version order (Debian-like, split at the last `-`, `~` before everything), ported
// from opamVersionCompare.ml. A hot spot: charCodeAt walks only, no regex, no allocation.
import type { RelOp } from "./ast.js";

const TILDE = 126; // ~
const ZERO = 48; // 0
const NINE = 57; // 9
const DASH = 45; // -

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Non-digit order: `~` < letters (ASCII) < every other character (ASCII). */
function compareChars(a: number, b: number): number {
  if (a === b) return 0;
  if (a === TILDE) return -1;
  if (b === TILDE) return 1;
  const la = isLetter(a);
  if (la !== isLetter(b)) return la ? -1 : 1;
  return a < b ? -1 : 1;
}

/** One side ran out; the other still has `s[i..end)`. Returns left-versus-right: trailing zeros
 *  are nothing, a following `~` makes the exhausted side greater, anything else smaller. */
function exhaustedVersus(s: string, i: number, end: number, exhaustedIsLeft: boolean): number {
  while (i < end && s.charCodeAt(i) === ZERO) i++;
  if (i === end) return 0;
  const exhaustedGreater = s.charCodeAt(i) === TILDE;
  return exhaustedGreater === exhaustedIsLeft ? 1 : -1;
}

/** Compare `x[xi..xl)` with `y[yi..yl)`: alternating lexical and numeric runs. */
function compareChunk(x: string, xi: number, xl: number, y: string, yi: number, yl: number): number {
  for (;;) {
    if (xi === xl) return yi === yl ? 0 : exhaustedVersus(y, yi, yl, true);
    if (yi === yl) return exhaustedVersus(x, xi, xl, false);
    const cx = x.charCodeAt(xi);
    const cy = y.charCodeAt(yi);
    const dx = isDigit(cx);
    const dy = isDigit(cy);
    if (dx && dy) {
      while (xi < xl && x.charCodeAt(xi) === ZERO) xi++;
      while (yi < yl && y.charCodeAt(yi) === ZERO) yi++;
      let xe = xi;
      while (xe < xl && isDigit(x.charCodeAt(xe))) xe++;
      let ye = yi;
      while (ye < yl && isDigit(y.charCodeAt(ye))) ye++;
      if (xe - xi !== ye - yi) return xe - xi < ye - yi ? -1 : 1;
      for (; xi < xe; xi++, yi++) {
        const d = x.charCodeAt(xi) - y.charCodeAt(yi);
        if (d !== 0) return d < 0 ? -1 : 1;
      }
      continue;
    }
    // A digit run sorts before any non-digit except `~`.
    if (dx) return cy === TILDE ? 1 : -1;
    if (dy) return cx === TILDE ? -1 : 1;
    const c = compareChars(cx, cy);
    if (c !== 0) return c;
    xi++;
    yi++;
  }
}

/** opam's total preorder on versions: -1, 0 or 1. Equal is not identical (`1.01` = `1.1`). */
export function compareVersions(a: string, b: string): number {
  if (a === b) return 0;
  const da = a.lastIndexOf("-");
  const db = b.lastIndexOf("-");
  const ua = da < 0 ? a.length : da;
  const ub = db < 0 ? b.length : db;
  const upstream = compareChunk(a, 0, ua, b, 0, ub);
  if (upstream !== 0) return upstream;
  return compareChunk(a, da < 0 ? a.length : da + 1, a.length, b, db < 0 ? b.length : db + 1, b.length);
}

export function versionsEqual(a: string, b: string): boolean {
  return compareVersions(a, b) === 0;
}

/** A new array, newest first; versions that compare equal keep their input order. */
export function sortNewestFirst(versions: readonly string[]): string[] {
  return [...versions].sort((a, b) => compareVersions(b, a));
}

/** Whether a comparison result (`compareVersions(x, y)`) satisfies `x op y`. */
export function relopHolds(op: RelOp, comparison: number): boolean {
  switch (op) {
    case "=":
      return comparison === 0;
    case "!=":
      return comparison !== 0;
    case "<":
      return comparison < 0;
    case "<=":
      return comparison <= 0;
    case ">":
      return comparison > 0;
    case ">=":
      return comparison >= 0;
  }
}

/** `version op bound`, e.g. `versionSatisfiesRelop("1.2", ">=", "1.0")`. */
export function versionSatisfiesRelop(version: string, op: RelOp, bound: string): boolean {
  return relopHolds(op, compareVersions(version, bound));
}

/** opam's version syntax: non-empty, only `A-Za-z0-9_+.~-` (OpamPackage.Version.of_string). */
export function isValidVersion(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isLetter(c) || isDigit(c) || c === DASH || c === 95 || c === 43 || c === 46 || c === TILDE) continue;
    return false;
  }
  return true;
}
