// What may reach git from a lock file, an opam file or the command line: refs checked as
// `git check-ref-format --allow-onelevel` does (and never starting with `-`), URLs limited to
// plain transports (never `ext::`/`fd::`), and the `-c` options every git call starts with.
import { UserError } from "./errors.js";

/** Given before every git subcommand: the command-running transports are refused outright. */
export const GIT_SAFE_CONFIG: readonly string[] = ["-c", "protocol.ext.allow=never", "-c", "protocol.fd.allow=never"];

/** Why `ref` is not a ref name git would accept, or undefined when it is one. Pure. */
export function refProblem(ref: string): string | undefined {
  if (ref === "") return "it is empty";
  if (ref.startsWith("-")) return "it starts with '-' (git would read it as an option)";
  if (/[\u0000-\u0020\u007f]/u.test(ref)) return "it contains a space or a control character";
  const bad = /[~^:?*[\\]/u.exec(ref);
  if (bad !== null) return `it contains '${bad[0]}'`;
  if (ref.includes("..")) return "it contains '..'";
  if (ref.includes("@{")) return "it contains '@{'";
  if (ref === "@") return "it is '@'";
  if (ref.startsWith("/") || ref.endsWith("/") || ref.includes("//")) return "it has an empty path component";
  if (ref.endsWith(".")) return "it ends with '.'";
  const component = ref.split("/").find((part) => part.startsWith(".") || part.endsWith(".lock"));
  if (component !== undefined) return `its component '${component}' starts with '.' or ends with '.lock'`;
  return undefined;
}

/** `ref` unchanged, or GIT_REF_INVALID naming `where` (the URL or file it came from). */
export function checkGitRef(ref: string, where: string): string {
  const problem = refProblem(ref);
  if (problem === undefined) return ref;
  throw new UserError("GIT_REF_INVALID", `the git ref ${JSON.stringify(ref)} in ${where} is not a valid ref name: ${problem}`, {
    hint: "use a commit (40 hexadecimal digits), a branch or a tag name after '#'",
  });
}

const SCHEMES = new Set(["https", "http", "ssh", "git", "file"]);
/** `[user@]host:path`, git's scp-like syntax: no `/` before the `:`, and not `host::…`. */
const SCP_LIKE = /^(?:[A-Za-z0-9._~+][A-Za-z0-9._~+-]*@)?[A-Za-z0-9_[][A-Za-z0-9._:[\]-]*?:(?!:)[^]/u;

/** Why git must not be given `url`, or undefined when it is a plain transport URL. Pure. */
export function urlProblem(url: string): string | undefined {
  if (url === "") return "it is empty";
  if (url.startsWith("-")) return "it starts with '-' (git would read it as an option)";
  if (/[\u0000-\u001f\u007f]/u.test(url)) return "it contains a control character";
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/u.test(url)) return "it names a remote helper ('<transport>::'), which can run commands";
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//u.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined) return SCHEMES.has(scheme) ? undefined : `its scheme '${scheme}' is not one of ${[...SCHEMES].join(", ")}`;
  if (SCP_LIKE.test(url) && !url.slice(0, url.indexOf(":")).includes("/")) return undefined;
  return "it is neither an https, http, ssh, git or file URL nor user@host:path";
}

/** `url` unchanged, or GIT_URL_INVALID naming `where`. */
export function checkGitUrl(url: string, where: string): string {
  const problem = urlProblem(url);
  if (problem === undefined) return url;
  const shown = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@#?]*@/iu, "$1");
  throw new UserError("GIT_URL_INVALID", `the git URL ${JSON.stringify(shown)} in ${where} is refused: ${problem}`, {
    hint: "git sources and repositories must be https://, http://, ssh://, git://, file:// or user@host:path URLs",
  });
}
