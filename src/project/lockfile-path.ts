// Where the lock file is (§2.1): the path `lock` writes (`-l`, one target, or the dune-project
// name) and the path `pull`/`depext`/`list` read (`-l`, or the single `*.opam.locked` at the root).
import { readdir, stat } from "../core/async-fs.js";
import { readInputText } from "../core/read-input.js";
import path from "node:path";
import { UserError, errnoCode } from "../core/errors.js";
import { LOCKFILE_EXTENSION } from "../core/paths.js";

const NAME_PREFIX = "Could not infer the target lockfile name: ";
const NAME_HINT = "\nTry setting it explicitly using --lockfile or add a project name in a root dune-project file.";

function nameError(reason: string): UserError {
  return new UserError("LOCKFILE_NAME", `${NAME_PREFIX}${reason}${NAME_HINT}`);
}

type Sexp = string | Sexp[];

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b" };

function unquote(token: string): string {
  return token.slice(1, -1).replace(/\\([\s\S])/g, (_all, char: string) => ESCAPES[char] ?? char);
}

/** Reads dune's S-expression syntax far enough to find top-level stanzas. */
export function parseSexps(text: string): Sexp[] {
  const stack: Sexp[][] = [[]];
  const tokens = /\s+|;[^\n]*|#\|[\s\S]*?\|#|"(?:[^"\\]|\\[\s\S])*"|[()]|[^\s();"]+/y;
  let index = 0;
  while (index < text.length) {
    tokens.lastIndex = index;
    const match = tokens.exec(text);
    if (match === null) throw new Error(`unexpected character at offset ${index}${text[index] === '"' ? " (unterminated string)" : ""}`);
    const token = match[0];
    index += token.length;
    if (/^\s/.test(token) || token.startsWith(";") || token.startsWith("#|")) continue;
    if (token === "(") stack.push([]);
    else if (token === ")") {
      if (stack.length === 1) throw new Error("unexpected ')'");
      const done = stack.pop()!;
      stack[stack.length - 1]!.push(done);
    } else {
      stack[stack.length - 1]!.push(token.startsWith('"') ? unquote(token) : token);
    }
  }
  if (stack.length > 1) throw new Error("unclosed parenthesis at end of input");
  return stack[0]!;
}

/** The `(name <atom>)` of `<root>/dune-project`, or the reference's errors. */
export async function duneProjectName(root: string): Promise<string> {
  const file = path.join(root, "dune-project");
  let text: string;
  try {
    text = await readInputText(file, "a dune-project file");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") throw nameError(`Missing dune-project file at the root: ${file}`);
    throw error;
  }
  let stanzas: Sexp[];
  try {
    stanzas = parseSexps(text);
  } catch (error) {
    throw nameError(`Failed to parse dune file ${file}: ${(error as Error).message}`);
  }
  for (const stanza of stanzas) {
    if (Array.isArray(stanza) && stanza[0] === "name" && stanza.length === 2 && typeof stanza[1] === "string") return stanza[1];
  }
  throw nameError("Missing a name field in the dune-project file");
}

export interface LockfileWriteRequest {
  root: string;
  /** `-l PATH`, used verbatim. */
  lockfile: string | undefined;
  /** Target package names. */
  targets: readonly string[];
  /** The command the user typed, for the hint. */
  command?: string;
}

/** The lock file `lock` writes: `-l`, else `<root>/<target>.opam.locked`, else the dune-project name. */
export async function lockfilePathForWrite(request: LockfileWriteRequest): Promise<string> {
  if (request.lockfile !== undefined) return request.lockfile;
  if (request.targets.length === 1) return path.join(request.root, `${request.targets[0]}${LOCKFILE_EXTENSION}`);
  try {
    return path.join(request.root, `${await duneProjectName(request.root)}${LOCKFILE_EXTENSION}`);
  } catch (error) {
    if (!(error instanceof UserError) || error.code !== "LOCKFILE_NAME") throw error;
    const name = suggestedName(request);
    throw new UserError("LOCKFILE_NAME", error.message, {
      hint: `\`${request.command ?? "opam-monorepo"} lock -l ${name}${LOCKFILE_EXTENSION}\`, or add \`(name ${name})\` to dune-project`,
    });
  }
}

/** A name for the lock file: the root directory's, when it is a plausible package name, else the first target's. */
function suggestedName(request: LockfileWriteRequest): string {
  const base = path.basename(path.resolve(request.root));
  return /^[A-Za-z0-9][A-Za-z0-9_+-]*$/.test(base) ? base : (request.targets[0] ?? "project");
}

/** Regular files (symlinks followed) named `*.opam.locked` directly in `root`, dotfiles excluded. */
export async function lockfilesAtRoot(root: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return [];
    throw error;
  }
  const found: string[] = [];
  for (const name of names.sort()) {
    if (name.startsWith(".") || !name.endsWith(LOCKFILE_EXTENSION)) continue;
    const info = await stat(path.join(root, name)).catch(() => undefined);
    if (info?.isFile()) found.push(name);
  }
  return found;
}

/** The lock file `pull`/`depext`/`list` read: `-l`, else the only `*.opam.locked` at the root. */
export async function lockfilePathForRead(request: { root: string; lockfile: string | undefined }): Promise<string> {
  if (request.lockfile !== undefined) return request.lockfile;
  const found = await lockfilesAtRoot(request.root);
  if (found.length === 0) throw new UserError("LOCKFILE_MISSING", "No lockfile: try running `opam monorepo lock` first");
  if (found.length > 1) {
    throw new UserError("LOCKFILE_AMBIGUOUS", `Found several lockfiles: ${found.join(" ")}\nPlease pick one explicitly using the --lockfile option`);
  }
  return path.join(request.root, found[0]!);
}
