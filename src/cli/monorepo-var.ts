// mirage's unikernel opam files mark most dependencies `{?monorepo}`: they count only while the
// opam variable `monorepo` is defined (mirage runs `env OPAMVAR_monorepo=opam-monorepo opam monorepo
// lock`). Locking without it silently drops them; this finds that case so lock can say so. Pure.
import type { Env } from "../opam/env.js";
import { filterVariables } from "../opam/filter-format.js";
import type { Formula, ConstraintItem, FilteredPackageFormula } from "../opam/formula-core.js";
import { formulaAtoms } from "../opam/formula-core.js";

export const MONOREPO_VARIABLE = "monorepo";
export const MONOREPO_SETTING = "OPAMVAR_monorepo=opam-monorepo";

function mentionsMonorepo(constraint: Formula<ConstraintItem>): boolean {
  return formulaAtoms(constraint).some((item) => item.kind === "filter" && filterVariables(item.filter).has(MONOREPO_VARIABLE));
}

/** The dependencies of `depends` whose filter reads the `monorepo` variable, in file order. */
export function monorepoFiltered(depends: FilteredPackageFormula): string[] {
  return [...new Set(formulaAtoms(depends).filter((atom) => mentionsMonorepo(atom.constraint)).map((atom) => atom.name))];
}

export interface UnsetMonorepo {
  file: string;
  /** Dependencies left out of the request because `monorepo` is undefined. */
  dropped: string[];
  total: number;
}

/** The target whose `{?monorepo}` dependencies are dropped because `env` does not define `monorepo`. */
export function unsetMonorepo(targets: readonly { file: string; depends: FilteredPackageFormula }[], env: Env): UnsetMonorepo[] {
  if (env(MONOREPO_VARIABLE) !== undefined) return [];
  return targets.flatMap(({ file, depends }) => {
    const dropped = monorepoFiltered(depends);
    return dropped.length === 0 ? [] : [{ file, dropped, total: new Set(formulaAtoms(depends).map((atom) => atom.name)).size }];
  });
}

/** The warning lock prints (several lines: it changes what the lock file means). */
export function unsetMonorepoWarning(found: UnsetMonorepo, command: string): string {
  const sample = found.dropped.slice(0, 4).join(", ") + (found.dropped.length > 4 ? ", …" : "");
  return (
    `${found.file}: ${found.dropped.length} of its ${found.total} dependencies (${sample}) are filtered by {?monorepo}, ` +
    `and the opam variable monorepo is not set, so the lock file leaves them out.\n` +
    `Set it as mirage does: \`env ${MONOREPO_SETTING} ${command} lock …\` (and the same for pull and depext).`
  );
}
