// What a locked URL points at: an archive (http(s)/file), a git commit, or a local directory.
// Pure: classifies strings and strips credentials for messages; no network, no filesystem.
import { fileURLToPath } from "node:url";
import { UserError } from "../core/errors.js";
import { parseHashes, type Hash } from "./checksum.js";

export type Source =
  | { kind: "archive"; url: string; hashes: Hash[] }
  | { kind: "git"; url: string; /** transport URL given to git */ remote: string; ref: string | undefined }
  /** A `file://` URL: a directory is copied, a file is treated as an archive. */
  | { kind: "local"; url: string; path: string; hashes: Hash[] };

/** Classify a lock file URL with its `algo=hex` checksums, the way opam's URL parser does. */
export function sourceOf(url: string, hashes: readonly string[]): Source {
  const hashIndex = url.indexOf("#");
  const base = hashIndex === -1 ? url : url.slice(0, hashIndex);
  const fragment = hashIndex === -1 ? undefined : url.slice(hashIndex + 1) || undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(base)?.[1]?.toLowerCase();
  if (scheme === undefined) throw new UserError("DOWNLOAD_FAILED", `Unsupported source URL ${redactUrl(url)}: it has no scheme`);
  if (scheme.startsWith("git+")) return { kind: "git", url, remote: base.slice(4), ref: fragment };
  if (scheme === "git") return { kind: "git", url, remote: base, ref: fragment };
  if ((scheme === "http" || scheme === "https") && /\.git\/?$/.test(base)) return { kind: "git", url, remote: base, ref: fragment };
  if (scheme === "http" || scheme === "https") return { kind: "archive", url: base, hashes: parseHashes(hashes, url) };
  if (scheme === "file") return { kind: "local", url: base, path: localPathOf(base), hashes: parseHashes(hashes, url) };
  throw new UserError("DOWNLOAD_FAILED", `Unsupported source URL ${redactUrl(url)} (scheme ${scheme}): expected http(s), file or git`);
}

/** The filesystem path of a `file://` URL. */
export function localPathOf(fileUrl: string): string {
  try {
    return fileURLToPath(fileUrl);
  } catch {
    return decodeURIComponent(fileUrl.replace(/^file:\/\//, ""));
  }
}

/** The URL without `user:password@` (for every message and log line). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@#?]*@/i, "$1");
}

/** True for URLs that never leave this machine: file:// and loopback hosts (offline mode allows them). */
export function isLocalUrl(url: string): boolean {
  if (/^file:/i.test(url)) return true;
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || host === "::1" || /^127\./.test(host);
  } catch {
    return false;
  }
}
