// The dune-project `(lang dune X.Y)` check that pull runs (§6.1): duniverse/dune needs
// `(vendored_dirs *)`, so dune lang >= 1.11. Parsing and rewriting are pure; checkDuneProject
// reads the file, asks through `confirm`, and rewrites only the version in the first line.
import { readInputText } from "../core/read-input.js";
import path from "node:path";
import { errnoCode } from "../core/errors.js";
import { writeFileAtomic } from "../core/fs.js";
import type { Reporter } from "../core/reporter.js";

export const REQUIRED_LANG = { major: 1, minor: 11 };

export type Lang =
  | { kind: "ok"; major: number; minor: number; text: string }
  | { kind: "no-stanza" }
  | { kind: "invalid-version"; text: string };

const STANZA = /^\(([ \t]*lang[ \t]+dune[ \t]+)([^ \t()\r\n]+)([ \t]*)\)/;

function firstLine(content: string): string {
  const newline = content.indexOf("\n");
  return (newline === -1 ? content : content.slice(0, newline)).replace(/\r$/, "");
}

/** The lang version on the first line of a dune-project file. */
export function parseLang(content: string): Lang {
  const match = STANZA.exec(firstLine(content));
  if (!match) return { kind: "no-stanza" };
  const text = match[2];
  const parts = /^(\d+)\.(\d+)$/.exec(text);
  const major = parts ? Number(parts[1]) : NaN;
  const minor = parts ? Number(parts[2]) : NaN;
  if (!Number.isSafeInteger(major) || !Number.isSafeInteger(minor)) return { kind: "invalid-version", text };
  return { kind: "ok", major, minor, text };
}

/** Replace the version of the first-line stanza; content without a stanza is returned as is. */
export function updateLang(content: string, version: string): string {
  const line = firstLine(content);
  const match = STANZA.exec(line);
  if (!match) return content;
  const updated = `(${match[1]}${version}${match[3]})`;
  return updated + content.slice(match[0].length);
}

export function langIsOlder(lang: { major: number; minor: number }, than = REQUIRED_LANG): boolean {
  return lang.major < than.major || (lang.major === than.major && lang.minor < than.minor);
}

export type DuneProjectCheck = "missing" | "ok" | "invalid" | "updated" | "declined";

/**
 * opam-monorepo's check before pulling: warn on an unreadable stanza, offer to raise an old
 * lang to 1.11 (`confirm` answers; the CLI handles -y and non-TTY defaults).
 */
export async function checkDuneProject(root: string, reporter: Reporter, confirm: (question: string) => Promise<boolean>): Promise<DuneProjectCheck> {
  const file = path.join(root, "dune-project");
  let content: string;
  try {
    content = await readInputText(file, "a dune-project file");
  } catch (error) {
    if (errnoCode(error) !== "ENOENT") throw error;
    reporter.debug(`No dune-project at ${file}`);
    return "missing";
  }
  const lang = parseLang(content);
  if (lang.kind === "no-stanza") reporter.warn("Invalid dune-project file: It does not start with a valid lang stanza");
  if (lang.kind === "invalid-version") reporter.warn(`Invalid dune-project file: invalid lang version ${lang.text}`);
  if (lang.kind !== "ok") return "invalid";
  if (!langIsOlder(lang)) return "ok";
  const required = `${REQUIRED_LANG.major}.${REQUIRED_LANG.minor}`;
  reporter.step(`You are using version ${lang.text} of the dune language`);
  reporter.step(`Duniverse requires version ${required} or above`);
  if (!(await confirm("Should I update your dune-project?"))) return "declined";
  reporter.step(`Setting dune language version to ${required} in ${file}`);
  await writeFileAtomic(file, updateLang(content, required));
  return "updated";
}
