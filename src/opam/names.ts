// opam's package-name rule (OpamPackage.Name.of_string): `A-Za-z0-9_+-` with at least one letter,
// and its order (OpamPackage.Name.compare). The one implementation of each; the rule also serves
// conflict classes and filter scopes. Pure.
import { bytewise } from "../core/compare.js";

export function isValidPackageName(name: string): boolean {
  let letter = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letter = true;
    else if (!((c >= 48 && c <= 57) || c === 45 || c === 95 || c === 43)) return false;
  }
  return letter;
}

/** Why `name` is not a valid opam package name (opam's own wording), or undefined when it is. */
export function packageNameProblem(name: string): string | undefined {
  if (isValidPackageName(name)) return undefined;
  if (/[^A-Za-z0-9_+-]/.test(name)) return `Invalid character in package name ${JSON.stringify(name)}`;
  return `Package name ${JSON.stringify(name)} should contain at least one letter`;
}

/** opam's package-name order (OpamPackage.Name.compare): case-insensitive, then bytewise. */
export function compareOpamNames(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x !== y ? bytewise(x, y) : bytewise(a, b);
}
