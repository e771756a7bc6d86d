// Reading and writing lock files on disk: parse + decode, encode + print + atomic write (a
// reader never sees a half-written lock file). The only file of lockfile/ that does I/O.
import { readInputText } from "../core/read-input.js";
import { UserError, errnoCode } from "../core/errors.js";
import { writeFileAtomic } from "../core/fs.js";
import type { Item } from "../opam/ast.js";
import { parseOpam } from "../opam/parser.js";
import { printOpam } from "../opam/printer.js";
import { decodeLockfile } from "./decode.js";
import { encodeLockfile } from "./encode.js";
import type { Lockfile } from "./model.js";

/** The lock file's text, exactly as `writeLockfile` writes it. */
export function lockfileText(lockfile: Lockfile, root?: string): string {
  return encodeLockfile(lockfile, root).map(printLockItem).join("");
}

/** opam's printer writes a field whose value is `[]` as an empty line (the reference's empty duniverse-dirs). */
function printLockItem(item: Item): string {
  return item.kind === "field" && item.value.kind === "list" && item.value.items.length === 0 ? "\n" : printOpam([item]);
}

/** Parse and check a lock file's text; `file` is used in messages. */
export function parseLockfile(text: string, file: string, root: string): Lockfile {
  return decodeLockfile(parseOpam(text, file), root);
}

/** Read `path` (errors name it); `root` is what `$OPAM_MONOREPO_CWD` stands for. */
export async function readLockfile(path: string, root: string): Promise<Lockfile> {
  let text: string;
  try {
    text = await readInputText(path, "a lock file");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") {
      throw new UserError("LOCKFILE_MISSING", `No lockfile at ${path}`, { hint: "run `opam monorepo lock` first, or pass --lockfile" });
    }
    if (errnoCode(error) === "EISDIR") throw new UserError("LOCKFILE_INVALID", `${path} is a directory, not a lock file`);
    throw error;
  }
  return parseLockfile(text, path, root);
}

/**
 * Write atomically (temporary file + rename). With `root`, repository URLs under it are written
 * as `$OPAM_MONOREPO_CWD/…`.
 */
export async function writeLockfile(path: string, lockfile: Lockfile, root?: string): Promise<void> {
  await writeFileAtomic(path, lockfileText(lockfile, root));
}

/**
 * The previous lock file at `path`, if any: its text, and its model decoded on demand (undefined
 * when it does not decode). A lock that writes the same text again never decodes it.
 */
export async function previousLockfile(path: string, root: string): Promise<{ text: string; lockfile: () => Lockfile | undefined } | undefined> {
  let text: string;
  try {
    text = await readInputText(path, "a lock file");
  } catch {
    return undefined;
  }
  const lockfile = () => {
    try {
      return parseLockfile(text, path, root);
    } catch {
      return undefined;
    }
  };
  return { text, lockfile };
}

/**
 * Like `writeLockfile`, but leaves the file (and its mtime) alone when `previousText` is already
 * exactly what would be written. Returns whether it wrote.
 */
export async function writeLockfileIfChanged(path: string, lockfile: Lockfile, root: string | undefined, previousText: string | undefined): Promise<boolean> {
  const text = lockfileText(lockfile, root);
  if (text === previousText) return false;
  await writeFileAtomic(path, text);
  return true;
}
