// Turns results and errors into terminal text. The only module (with the Reporter) that
// decides how things look: colour only on a TTY, never with NO_COLOR, always with FORCE_COLOR.
import { InternalError, UserError } from "../core/errors.js";
import { PROGRAM } from "../core/paths.js";
import { standardOutputs } from "./output.js";

/**
 * FORCE_COLOR (as Node and chalk read it: `0`/`false` off, anything else on) and CLICOLOR_FORCE
 * (set and not `0`: on) decide before NO_COLOR and the terminal test; `--color` decides before them.
 */
export function forcedColor(env: NodeJS.ProcessEnv): boolean | undefined {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !["0", "false"].includes(force.trim().toLowerCase());
  const clicolor = env.CLICOLOR_FORCE;
  if (clicolor !== undefined && clicolor !== "" && clicolor !== "0") return true;
  return undefined;
}

/**
 * `--color=auto`: colour only when `stream` and every stream in `outputs` are terminals. stdout and
 * stderr share one setting (the Reporter colours both), so `list | less` must get no escape codes
 * even when stderr is still the terminal.
 */
export function colorEnabled(
  stream: NodeJS.WriteStream,
  mode: "auto" | "always" | "never" = "auto",
  env = process.env,
  outputs: readonly NodeJS.WriteStream[] = [standardOutputs().stdout, standardOutputs().stderr],
): boolean {
  if (mode === "always") return true;
  if (mode === "never") return false;
  const forced = forcedColor(env);
  if (forced !== undefined) return forced;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return stream.isTTY === true && outputs.every((output) => output.isTTY === true) && env.TERM !== "dumb";
}

/** One paragraph for a user error: `opam-monorepo: [ERROR] message`, then the hint. */
export function renderUserError(error: UserError, color: boolean): string {
  const tag = color ? "\x1b[31m[ERROR]\x1b[0m" : "[ERROR]";
  let text = `${PROGRAM}: ${tag} ${error.message}\n`;
  if (error.hint) text += `Hint: ${error.hint}\n`;
  return text;
}

/** A command's `--json` result: `{ "ok": true, …fields }`, indented, one document. */
export function renderJson(fields: Record<string, unknown>): string {
  return `${JSON.stringify({ ok: true, ...fields }, null, 2)}\n`;
}

export function renderUserErrorJson(error: UserError): string {
  return JSON.stringify({ ok: false, error: { code: error.code, message: error.message, hint: error.hint ?? null, details: error.details ?? null } }, null, 2) + "\n";
}

/** An unexpected exception is a bug: say so, with enough to report it. */
export function renderBug(error: unknown): string {
  const kind = error instanceof InternalError ? "internal error" : "unexpected error";
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `${PROGRAM}: [ERROR] ${kind} (this is a bug, please report it with the command you ran):\n${detail}\n`;
}
