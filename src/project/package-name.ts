// opam's package-name and package-id rules (`name`, `name.version`), with opam's own messages.
// Pure string checks; used for local opam file names, CLI targets and config fields.

/** Why `name` is not a valid opam package name, or undefined when it is valid. */
export function packageNameProblem(name: string): string | undefined {
  if (/[^A-Za-z0-9_+-]/.test(name)) return `Invalid character in package name ${JSON.stringify(name)}`;
  if (!/[A-Za-z]/.test(name)) return `Package name ${JSON.stringify(name)} should contain at least one letter`;
  return undefined;
}

export function isValidPackageName(name: string): boolean {
  return packageNameProblem(name) === undefined;
}

/** `name.version` split at the first `.`; the version is undefined without a dot. */
export function splitPackageId(id: string): { name: string; version: string | undefined } {
  const dot = id.indexOf(".");
  return dot < 0 ? { name: id, version: undefined } : { name: id.slice(0, dot), version: id.slice(dot + 1) };
}
