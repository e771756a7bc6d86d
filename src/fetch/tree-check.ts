// After extraction (still in a private temp directory): every symlink in the tree must resolve
// inside it, following chains of symlinks. Catches what no per-entry check can see (zip symlink
// targets, `a -> d/x/..` where `d/x` is itself a link). Reads only; never follows links to write.
import { readdir, readlink, realpath } from "node:fs/promises";
import path from "node:path";
import { errnoCode, UserError } from "../core/errors.js";
import { pathIsInside } from "../core/fs.js";

export async function assertTreeContained(root: string, label: string): Promise<void> {
  const realRoot = await realpath(root);
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isSymbolicLink()) await checkSymlink(full, root, realRoot, label);
    }
  }
}

async function checkSymlink(link: string, root: string, realRoot: string, label: string): Promise<void> {
  const target = await readlink(link);
  const shown = path.relative(root, link);
  const refuse = () =>
    new UserError("ARCHIVE_UNSAFE", `${label}: refusing symlink ${shown} -> ${target}: it points outside the source tree`, {
      hint: "The archive tries to reach outside its directory; it was not extracted.",
    });
  if (path.isAbsolute(target)) throw refuse();
  let resolved: string;
  try {
    resolved = await realpath(link);
  } catch (error) {
    if (errnoCode(error) === "ELOOP") throw refuse();
    if (errnoCode(error) !== "ENOENT") throw error;
    // Dangling (nothing to reach through it today): judge the lexical path.
    if (!pathIsInside(path.resolve(path.dirname(link), target), root)) throw refuse();
    return;
  }
  if (!pathIsInside(resolved, realRoot)) throw refuse();
}
