// opam URLs (opamUrl.ml): `[vcs+]transport://path[#fragment]`, bare paths and scp-like
// `user@host:path`; printing back as opam does; dev-repo identity for grouping. Pure, no I/O.
import { UserError } from "../core/errors.js";

/**
 * `http`: an archive download (http/https/ftp). `git`/`hg`/`darcs`: a VCS. `local`: a path on
 * this machine (`file://`, a bare path). `rsync`: rsync/ssh/scp/sftp. opam calls `local` and
 * `rsync` both "rsync"; the transport tells them apart.
 */
export type UrlBackend = "http" | "git" | "rsync" | "hg" | "darcs" | "local";

export interface OpamUrl {
  readonly backend: UrlBackend;
  /** `https`, `http`, `file`, `ssh`, `git`, … */
  readonly transport: string;
  /** Everything after `://` up to `#` (for scp-like URLs, `user@host/path`). */
  readonly path: string;
  /** After the first `#` (a git ref, a branch…), undefined if none. */
  readonly fragment: string | undefined;
  /** The text as written. */
  readonly raw: string;
}

export interface ParseUrlOptions {
  /** Force a backend, as opam's legacy `git:`/`http:`/`local:` url fields do. */
  backend?: UrlBackend;
  /** Guess a VCS from a `.git`/`.hg` suffix or `git@…` (opam's default; off for src and dev-repo). */
  handleSuffix?: boolean;
  /** Prefix of the error message, e.g. `"file:3:5: dev-repo"`. */
  where?: string;
}

type Vcs = "git" | "hg" | "darcs";

function vcsOf(text: string): Vcs | undefined {
  return text === "git" || text === "hg" || text === "darcs" ? text : undefined;
}

/** opam's backend_of_string for a transport (undefined = unsupported). */
function backendOfTransport(transport: string): "http" | "rsync" | "local" | Vcs | undefined {
  switch (transport) {
    case "http":
    case "https":
    case "ftp":
    case "wget":
    case "curl":
      return "http";
    case "file":
    case "path":
    case "local":
      return "local";
    case "rsync":
    case "ssh":
    case "scp":
    case "sftp":
      return "rsync";
    default:
      return vcsOf(transport);
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** What may follow `host:` (after an optional `/`) in an scp-like path. */
function sshRest(rest: string): boolean {
  if (rest === "" || !isDigit(rest.charCodeAt(0))) return true;
  let i = 0;
  while (i < rest.length && isDigit(rest.charCodeAt(i))) i++;
  return i < rest.length && rest.charCodeAt(i) !== 47; // digits then neither digit nor '/'
}

/** opam's looks_like_ssh_path: `host:path` with a host of 2+ chars → `host/path`; else undefined. */
export function sshPath(path: string): string | undefined {
  for (let colon = path.indexOf(":"); colon >= 0; colon = path.indexOf(":", colon + 1)) {
    let start = colon;
    while (start > 0 && path[start - 1] !== "/" && path[start - 1] !== ":") start--;
    if (colon - start < 2) continue;
    const rest = path.slice(colon + 1);
    const host = path.slice(start, colon);
    if (rest.startsWith("/") && rest.length > 1 && sshRest(rest.slice(1))) return `${host}/${rest.slice(1)}`;
    if (sshRest(rest)) return rest === "" || rest === "/" ? host : `${host}/${rest}`;
  }
  return undefined;
}

function split(text: string): { vcs?: string; transport?: string; path: string; fragment?: string } {
  const sep = text.indexOf("://");
  let vcs: string | undefined;
  let transport: string | undefined;
  let rest = text;
  if (sep === 0 || (sep > 0 && text.lastIndexOf(":", sep - 1) < 0)) {
    const scheme = text.slice(0, sep);
    const plus = scheme.indexOf("+");
    if (plus >= 0) [vcs, transport] = [scheme.slice(0, plus), scheme.slice(plus + 1)];
    else transport = scheme;
    rest = text.slice(sep + 3);
  }
  const hash = rest.indexOf("#");
  const path = hash < 0 ? rest : rest.slice(0, hash);
  const fragment = hash < 0 ? undefined : rest.slice(hash + 1);
  return { vcs: vcs || undefined, transport: transport || undefined, path, fragment: fragment || undefined };
}

function suffixBackend(path: string): Vcs | undefined {
  const dot = path.lastIndexOf(".");
  const suffix = dot < 0 ? "" : path.slice(dot + 1);
  if (suffix !== "" && !/[\\/]/.test(suffix)) return vcsOf(suffix);
  const at = path.indexOf("@");
  return at < 0 ? undefined : vcsOf(path.slice(0, at));
}

function fail(where: string | undefined, text: string, reason: string): never {
  throw new UserError("OPAM_FIELD", `${where === undefined ? "" : `${where}: `}invalid URL "${text}": ${reason}`);
}

function chooseBackend(parts: ReturnType<typeof split>, text: string, options: ParseUrlOptions): UrlBackend {
  if (options.backend !== undefined) return options.backend;
  if (parts.vcs !== undefined) return vcsOf(parts.vcs) ?? fail(options.where, text, `unsupported version control system "${parts.vcs}"`);
  const guess = options.handleSuffix ? suffixBackend(parts.path) : undefined;
  if (parts.transport === undefined) return guess ?? "local";
  const vcs = vcsOf(parts.transport);
  if (vcs) return vcs;
  const backend = backendOfTransport(parts.transport) ?? fail(options.where, text, `unsupported protocol "${parts.transport}"`);
  return guess ?? backend;
}

/** Parses like OpamUrl.parse (default: suffix handling off, as for `src:` and `dev-repo:`). */
export function parseUrl(text: string, options: ParseUrlOptions = {}): OpamUrl {
  const parts = split(text);
  let backend = chooseBackend(parts, text, options);
  const { transport, path } = parts;
  const ssh = sshPath(path);
  let finalTransport: string;
  let finalPath = path;
  if (backend === "http" && transport === undefined) finalTransport = "http";
  else if (ssh !== undefined && (transport === undefined || vcsOf(transport) !== undefined)) [finalTransport, finalPath] = ["ssh", ssh];
  else if (transport === undefined || transport === "hg" || transport === "darcs") finalTransport = "file";
  else finalTransport = transport;
  // opam's rsync backend over a local path is our `local`; over ssh & co it stays `rsync`.
  if (backend === "local" || backend === "rsync") backend = backendOfTransport(finalTransport) === "local" ? "local" : "rsync";
  return { backend, transport: finalTransport, path: finalPath, fragment: parts.fragment, raw: text };
}

/** OpamUrl.to_string: `git+https://h/p#ref`, `git://h/p`, `https://h/p.tbz`, `file:///x`. */
export function formatUrl(url: OpamUrl): string {
  const fragment = url.fragment === undefined ? "" : `#${url.fragment}`;
  if (url.backend === "git" || url.backend === "hg" || url.backend === "darcs") {
    const scheme = url.transport === url.backend ? url.backend : `${url.backend}+${url.transport}`;
    return `${scheme}://${url.path}${fragment}`;
  }
  return `${url.transport}://${url.path}${fragment}`;
}

/** The URL without its fragment, as printed by formatUrl. */
export function urlWithoutFragment(url: OpamUrl): string {
  return formatUrl({ ...url, fragment: undefined });
}

function stripRepoSuffixes(path: string): string {
  let p = path;
  for (let changed = true; changed; ) {
    changed = false;
    while (p.endsWith("/")) [p, changed] = [p.slice(0, -1), true];
    if (p.toLowerCase().endsWith(".git")) [p, changed] = [p.slice(0, -4), true];
  }
  return p;
}

/**
 * A dev-repo identity key: scheme, `git+`, user@, `#fragment`, trailing `/` and `.git` ignored,
 * host lower-cased. `git://github.com/mirage/mirage-clock` and
 * `git+https://github.com/mirage/mirage-clock.git` give `github.com/mirage/mirage-clock`.
 */
export function normaliseDevRepo(text: string): string {
  let url: OpamUrl;
  try {
    url = parseUrl(text.trim());
  } catch {
    return stripRepoSuffixes(text.trim().replace(/#.*$/s, "")).toLowerCase();
  }
  const path = stripRepoSuffixes(url.path);
  if (url.backend === "local") return path;
  const slash = path.indexOf("/");
  let host = slash < 0 ? path : path.slice(0, slash);
  host = host.slice(host.lastIndexOf("@") + 1).toLowerCase();
  return slash < 0 ? host : `${host}${path.slice(slash)}`;
}
