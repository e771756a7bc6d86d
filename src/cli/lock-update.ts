// `lock --update PKG…` (as `cargo update -p`): re-lock with the options the lock file records,
// preferring every locked version except the named packages', which get their newest version the
// rest allows (`lock` itself prints what changed against the previous lock file).
import { UserError } from "../core/errors.js";
import { readLockfile } from "../lockfile/file.js";
import type { Lockfile } from "../lockfile/model.js";
import { lockfilePathForRead, projectRoot } from "../project/project.js";
import { notLocked, solveRequest } from "./locked-solve.js";
import type { LockOptions } from "./commands/lock.js";
import type { CommandContext } from "./commands/index.js";

export interface UpdateRequest {
  options: LockOptions;
  packages: string[];
  /** What x-opam-monorepo-cli-args records: the previous lock's command line, unchanged. */
  cliArgs: string[];
  previous: Lockfile;
}

export async function updateRequest(context: CommandContext, options: LockOptions, packages: readonly string[]): Promise<UpdateRequest> {
  const names = options.update ?? [];
  if (packages.length > 0) {
    throw new UserError("BAD_ARGUMENT", `lock --update re-locks with the lock file's own packages and options; do not name local packages (${packages.join(", ")})`, {
      hint: "put the packages to update after --update: `opam-monorepo lock --update fmt logs`",
    });
  }
  const root = projectRoot(options.root, context.cwd);
  const file = await lockfilePathForRead({ root, lockfile: options.lockfile });
  const previous = await readLockfile(file, root);
  for (const name of names) if (!previous.depends.some((dependency) => dependency.name === name)) throw notLocked(name, file, previous);
  const request = solveRequest(context, options, previous, file);
  return { options: { ...request.options, json: options.json, update: names }, packages: request.packages, cliArgs: previous.cliArgs ?? [], previous };
}
