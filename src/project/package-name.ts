// opam's package-name and package-id rules (`name`, `name.version`), with opam's own messages.
// Pure string checks; used for local opam file names, CLI targets and config fields.

export { isValidPackageName, packageNameProblem } from "../opam/names.js";

/** `name.version` split at the first `.`; the version is undefined without a dot. */
export function splitPackageId(id: string): { name: string; version: string | undefined } {
  const dot = id.indexOf(".");
  return dot < 0 ? { name: id, version: undefined } : { name: id.slice(0, dot), version: id.slice(dot + 1) };
}
