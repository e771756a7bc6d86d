// Chooses the target (root) packages of `lock` among the local packages and decides each local
// package's version (explicit `name.version` > `version:` field > `zdev`). Pure.
import { UserError } from "../core/errors.js";
import { findField, type OpamFile } from "../opam/ast.js";
import type { LocalPackage } from "./local-packages.js";
import { splitPackageId } from "./package-name.js";
import { bytewise } from "../core/compare.js";

export interface Target extends LocalPackage {
  /** The version given on the command line (`irmin.2.7.1` → `2.7.1`), if any. */
  explicitVersion: string | undefined;
}

export interface TargetRequest {
  /** Positional `LOCAL_PACKAGE` arguments: `name` or `name.version` (split at the first `.`). */
  packages: readonly string[];
  /** `--recurse-opam`: every local package, not only those at the root. */
  recurse: boolean;
  /** The command the user typed (`opam-monorepo` or `opam monorepo`), for hints. */
  command?: string;
}

/** No opam file at the root, but some in subdirectories (a mirage unikernel's `mirage/*.opam`): name them. */
function subdirectoryHint(locals: readonly LocalPackage[], command: string): string | undefined {
  if (locals.length === 0) return undefined;
  const files = locals.slice(0, 3).map((local) => local.path).join(", ") + (locals.length > 3 ? ", …" : "");
  const one = locals.length === 1 ? locals[0]!.name : "NAME";
  return `there are opam files in subdirectories (${files}): lock one with \`${command} lock ${one}\`, or all of them with \`${command} lock --recurse-opam\``;
}

export const NO_TARGETS_MESSAGE =
  "Cannot find any packages to vendor.\nEither create some *.opam files in the local repository, or specify them manually via 'opam monorepo lock <packages>'.";

function explicitTargets(locals: readonly LocalPackage[], requested: readonly string[]): Target[] {
  const byName = new Map(locals.map((local) => [local.name, local]));
  const targets = new Map<string, Target>();
  const unknown: string[] = [];
  for (const argument of requested) {
    const { name, version } = splitPackageId(argument);
    const local = byName.get(name);
    if (local === undefined) {
      if (!unknown.includes(name)) unknown.push(name);
    } else if (!targets.has(name)) {
      targets.set(name, { ...local, explicitVersion: version });
    }
  }
  if (unknown.length === 1) {
    throw new UserError("UNKNOWN_PACKAGE", `Package ${unknown[0]} specified but not found in repository`);
  }
  if (unknown.length > 1) {
    throw new UserError("UNKNOWN_PACKAGE", `Packages ${unknown.join(", ")} specified but not found in repository`);
  }
  return [...targets.values()];
}

/**
 * The targets: the named packages (found anywhere in the tree), else every local package with
 * `recurse`, else the packages whose opam file is at the root. Sorted by name; never empty.
 */
export function chooseTargets(locals: readonly LocalPackage[], request: TargetRequest): Target[] {
  let targets: Target[];
  if (request.packages.length > 0) targets = explicitTargets(locals, request.packages);
  else {
    const chosen = request.recurse ? locals : locals.filter((local) => local.atRoot);
    targets = chosen.map((local) => ({ ...local, explicitVersion: undefined }));
  }
  if (targets.length === 0) throw new UserError("NO_TARGETS", NO_TARGETS_MESSAGE, { hint: subdirectoryHint(locals, request.command ?? "opam-monorepo") });
  return targets.sort((a, b) => bytewise(a.name, b.name));
}

/** `==> Using N locally scanned package[s] as the target[s].` */
export function targetsMessage(count: number): string {
  return count > 1 ? `Using ${count} locally scanned packages as the targets.` : `Using ${count} locally scanned package as the target.`;
}

/** A local package's version: the explicit CLI version, else its `version:` field, else `zdev`. */
export function localPackageVersion(explicitVersion: string | undefined, opam: OpamFile | undefined): string {
  if (explicitVersion !== undefined) return explicitVersion;
  const field = opam === undefined ? undefined : findField(opam.items, "version");
  if (field !== undefined && field.value.kind === "string") return field.value.value;
  return "zdev";
}
