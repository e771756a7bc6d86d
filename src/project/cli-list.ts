// opam-monorepo's command-line list syntax (`[a,b,[c,d]]`: no quoting, no trimming, "" = [])
// and the typed decoders of the three `--[add-]<config field>` flags. Pure: never touches disk.
import { UserError } from "../core/errors.js";
import type { GlobalVarValue } from "../lockfile/model.js";
import { parseUrl } from "../opam/url.js";
import { packageNameProblem } from "./package-name.js";

const NOT_A_LIST = "a list is expected. Lists must be of the form '[x,y,z]' (i.e. delimited by '[' and ']')";

function cliError(message: string): UserError {
  return new UserError("BAD_ARGUMENT", message);
}

function unmatched(delimiter: "[" | "]"): UserError {
  return cliError(`unmatched list delimiter '${delimiter}'`);
}

/** Split the inside of a list on its top-level commas, keeping nested lists as raw text. */
function splitTopLevel(inner: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of inner) {
    if (char === "[") depth++;
    if (char === "]") {
      if (depth === 0) throw unmatched("]");
      depth--;
    }
    if (char === "," && depth === 0) {
      items.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  if (depth > 0) throw unmatched("[");
  items.push(current);
  return items;
}

/**
 * The elements of a CLI list, as raw strings (nested lists stay `[x,y]` text).
 * `""` and `"[]"` are the empty list. Throws UserError(BAD_ARGUMENT) with the reference's
 * messages otherwise.
 */
export function splitCliList(text: string): string[] {
  if (text === "") return [];
  const opens = text.startsWith("[");
  if (opens && text.length > 1 && text.endsWith("]")) {
    const inner = text.slice(1, -1);
    return inner === "" ? [] : splitTopLevel(inner);
  }
  if (opens) throw unmatched("[");
  throw cliError(NOT_A_LIST);
}

/** `true` or `false`, exactly. */
export function parseCliBool(text: string): boolean {
  if (text === "true") return true;
  if (text === "false") return false;
  throw cliError(`Expected a boolean but got: ${text}`);
}

/** A flat list of strings: `[a,b,c]`. */
export function parseCliStringList(text: string): string[] {
  return splitCliList(text);
}

/** `[x,y]`: exactly two elements. */
export function parseCliPair(text: string): [string, string] {
  const items = splitCliList(text);
  if (items.length !== 2) throw cliError(`Expected a pair but got: ${text}`);
  return [items[0]!, items[1]!];
}

/** A global variable's value: tried as a boolean, then a list of strings, then a string. */
export function parseCliGlobalVarValue(text: string): GlobalVarValue {
  if (text === "true" || text === "false") return text === "true";
  try {
    return parseCliStringList(text);
  } catch {
    return text;
  }
}

/** `--[add-]global-opam-vars`: `[[arch,x86_64],[os-family,debian]]`; a name may appear once. */
export function parseCliGlobalVars(text: string): Map<string, GlobalVarValue> {
  const vars = new Map<string, GlobalVarValue>();
  for (const item of splitCliList(text)) {
    const [name, value] = parseCliPair(item);
    if (vars.has(name)) throw cliError(`Opam global variable ${name} is defined more than once`);
    vars.set(name, parseCliGlobalVarValue(value));
  }
  return vars;
}

/**
 * A list of items that never contain blanks, commas or brackets (package names, URLs), written the
 * forgiving way where that is unambiguous: `[a,b]`, `[a, b]` (blanks trimmed), `a,b` or `a`.
 */
export function splitLenientList(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[") || trimmed.endsWith("]")) return splitCliList(trimmed).map((item) => item.trim());
  if (/[[\]]/.test(trimmed)) return splitCliList(trimmed);
  return trimmed === "" ? [] : trimmed.split(",").map((item) => item.trim());
}

/** `--[add-]opam-provided`: a list of package names (`[a,b]`, `[a, b]`, `a,b`), or a single name. */
export function parseCliOpamProvided(text: string): string[] {
  const names = splitLenientList(text);
  for (const name of names) {
    const problem = packageNameProblem(name);
    if (problem !== undefined) throw cliError(`Expected a list or a package name but got: ${text} (${problem})`);
  }
  return [...new Set(names)];
}

/** Why `url` cannot be a repository URL (empty, blanks, or not an opam URL), if it cannot. */
export function repositoryUrlProblem(url: string): string | undefined {
  if (url === "" || /\s/.test(url)) return "the list separator is ',', e.g. '[git+https://a.com/r1,git+https://b.com/r2]'";
  try {
    parseUrl(url);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * `--[add-]opam-repositories`: a list of URLs (`[a,b]`, `[a, b]`, `a,b` or a single URL), checked
 * here and rewritten later by config.ts.
 */
export function parseCliRepositories(text: string): string[] {
  const urls = splitLenientList(text);
  for (const url of urls) {
    const problem = repositoryUrlProblem(url);
    if (problem !== undefined) {
      throw cliError(`Invalid repository URL ${JSON.stringify(url)} in ${text}: ${problem}`);
    }
  }
  return [...new Set(urls)];
}

/** Print a list back in the CLI syntax (`[a,b]`). */
export function printCliList(items: readonly string[]): string {
  return `[${items.join(",")}]`;
}
