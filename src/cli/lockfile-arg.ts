// The `-r/--root` and `-l/--lockfile` options of the commands that read a lock file (pull,
// depext, list, cache-key, mirror): find it, say which one is used, decode it.
import type { Command } from "commander";
import { readLockfile } from "../lockfile/file.js";
import type { Lockfile } from "../lockfile/model.js";
import { lockfilePathForRead, projectRoot } from "../project/project.js";
import type { CommandContext } from "./commands/index.js";

export interface LockfileArgs {
  root?: string;
  lockfile?: string;
}

export interface LoadedLockfile {
  root: string;
  path: string;
  lockfile: Lockfile;
}

export function addLockfileOptions(command: Command): Command {
  return command
    .option("-r, --root <dir>", "the project root (default: the current directory)")
    .option("-l, --lockfile <path>", "the lock file to read (default: the only *.opam.locked at the root)");
}

/** Finds and decodes the lock file; prints `==> Using lockfile <path>` unless `quiet`. */
export async function loadLockfileArg(context: CommandContext, args: LockfileArgs, quiet = false): Promise<LoadedLockfile> {
  const root = projectRoot(args.root, context.cwd);
  const file = await lockfilePathForRead({ root, lockfile: args.lockfile });
  if (!quiet) context.reporter.step(`Using lockfile ${file}`);
  return { root, path: file, lockfile: await readLockfile(file, root) };
}
