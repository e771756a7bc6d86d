// The on-disk layout of an opam repository (`packages/<name>/<name>.<version>/opam`), using the
// opam/ rules for valid package names and versions. Pure: no filesystem access.
import { isValidPackageName } from "../opam/names.js";
import { isValidVersion } from "../opam/version.js";

export function isPackageName(name: string): boolean {
  return isValidPackageName(name);
}

/**
 * The version of a version directory of package `name` (`lwt.5.9.1` → `5.9.1`), or undefined
 * when the directory is not `<name>.<version>` with a valid version. The directory name is
 * authoritative (opam splits at the first `.`); a directory of another package is ignored.
 */
export function versionOfDir(name: string, dir: string): string | undefined {
  if (dir.length <= name.length + 1 || !dir.startsWith(name) || dir[name.length] !== ".") return undefined;
  const version = dir.slice(name.length + 1);
  return isValidVersion(version) ? version : undefined;
}

/**
 * Splits an archive member path `[<prefix>]packages/<name>/<name>.<version>/opam` into its parts,
 * or undefined for any other member. `prefix` is "" or ends with `/`.
 */
export function parseOpamMemberPath(member: string): { prefix: string; name: string; version: string } | undefined {
  if (!member.endsWith("/opam")) return undefined;
  const parts = member.split("/");
  const n = parts.length;
  if (n < 4 || parts[n - 4] !== "packages") return undefined;
  const name = parts[n - 3]!;
  if (!isPackageName(name)) return undefined;
  const version = versionOfDir(name, parts[n - 2]!);
  if (version === undefined) return undefined;
  const prefix = parts.slice(0, n - 4).join("/");
  return { prefix: prefix === "" ? "" : `${prefix}/`, name, version };
}
