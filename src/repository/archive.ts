// A repository packed in a local .tar.gz (opam 2.2+ `$OPAMROOT/repo/<name>.tar.gz`, snapshots,
// downloaded tarballs), read in memory without extracting. The index cache is keyed by the
// archive's stat (its ctime moves with any write); on a miss every opam file's text is kept, to
// be parsed on first use.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { UserError } from "../core/errors.js";
import { openIndexed } from "./indexed.js";
import { parseOpamMemberPath } from "./layout.js";
import { groupByName, type TableEntry } from "./table-entry.js";
import { encodeText } from "./codec.js";
import type { OpenDeps, Repository } from "./repository.js";
import { readTarFiles, TarFormatError } from "./tar.js";

export interface ArchiveSpec {
  path: string;
  url?: string;
  label?: string;
  /** Index-cache identity (default `archive:<absolute path>`). */
  identity?: string;
}

interface OpamMember {
  name: string;
  version: string;
  member: string;
  data: Buffer;
}

function unreachable(file: string, url: string, error: unknown): UserError {
  return new UserError("REPO_UNREACHABLE", `repository ${url} is unreachable: cannot read ${file}: ${(error as Error).message}`);
}

function readArchive(file: string, url: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw unreachable(file, url, error);
  }
}

/**
 * Device, inode, size, mtime and ctime: any write to the file moves its ctime, which users cannot
 * set back, so the stamp changes with the content; a warm open never reads the archive.
 */
function archiveStamp(file: string, url: string): string {
  let stats;
  try {
    stats = statSync(file, { bigint: true });
  } catch (error) {
    throw unreachable(file, url, error);
  }
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
}

/** Largest output buffer sized from the gzip trailer; beyond it zlib grows its output in chunks. */
const MAX_SIZED_OUTPUT = 1 << 30;

/**
 * gunzip in one output buffer sized by the trailer's ISIZE (the uncompressed length modulo 2^32):
 * the default 16 KiB chunks cost a concatenation of thousands of pieces, about as long as the
 * inflate itself on opam-repository. A wrong ISIZE only means more chunks, never a wrong result.
 */
function gunzipWhole(bytes: Buffer): Buffer {
  const size = bytes.length >= 18 ? bytes.readUInt32LE(bytes.length - 4) : 0;
  const chunkSize = size > 0 && size < MAX_SIZED_OUTPUT ? Math.max(size + 1, 64 << 10) : 64 << 10;
  // Loaded here, on a cold open only: node:zlib (and Node's streams with it) costs ~4 ms and 2 MB.
  const { gunzipSync } = createRequire(import.meta.url)("node:zlib") as typeof import("node:zlib");
  return gunzipSync(bytes, { chunkSize });
}

/** The opam files of the repository in `bytes`: `[top/]packages/<n>/<n>.<v>/opam`. */
function opamMembers(bytes: Buffer, file: string, url: string): OpamMember[] {
  let files;
  try {
    files = readTarFiles(gunzipWhole(bytes));
  } catch (error) {
    const reason = error instanceof TarFormatError ? error.message : "not a gzip-compressed tar archive";
    throw new UserError("REPO_INVALID", `${url} is not an opam repository archive: ${file}: ${reason}`);
  }
  const prefixOf = (member: string): string | undefined => {
    const match = /^((?:[^/]+\/)?)(?:packages\/|repo$)/u.exec(member);
    return match === null ? undefined : match[1];
  };
  const prefixes = files.map((entry) => prefixOf(entry.path)).filter((p): p is string => p !== undefined);
  if (prefixes.length === 0) {
    throw new UserError("REPO_INVALID", `${url} is not an opam repository archive: ${file} has no packages/ directory`, {
      hint: "an opam repository holds packages/<name>/<name>.<version>/opam files",
    });
  }
  const prefix = prefixes.reduce((best, p) => (p.length < best.length ? p : best));
  const members: OpamMember[] = [];
  for (const entry of files) {
    const parsed = parseOpamMemberPath(entry.path);
    if (parsed !== undefined && parsed.prefix === prefix) members.push({ ...parsed, member: entry.path, data: entry.data });
  }
  return members;
}

/**
 * The kept texts are views of the decompressed archive (never copied) and are parsed on first
 * readOpam: after one gunzip every text is in memory, and a lock reads a few thousand of the
 * 19,000 files, so a syntax check of the rest would only delay it.
 */
function coldEntries(members: OpamMember[], file: string): Map<string, TableEntry[]> {
  return groupByName(members.map((m) => ({ name: m.name, version: m.version, stamp: "", file: `${file}/${m.member}`, text: m.data })));
}

/** Opens a local `.tar.gz` repository. */
export async function openArchive(spec: ArchiveSpec, deps: OpenDeps): Promise<Repository> {
  const file = path.resolve(spec.path);
  const url = spec.url ?? `file://${file}`;
  const stamp = archiveStamp(file, url);
  let members: OpamMember[] | undefined;
  const membersOnce = (): OpamMember[] => (members ??= opamMembers(readArchive(file, url), file, url));
  const reparse = (name: string, version: string): Buffer | undefined => {
    const m = membersOnce().find((candidate) => candidate.name === name && candidate.version === version);
    return m === undefined ? undefined : encodeText(`${file}/${m.member}`, m.data);
  };
  const cold = async (): Promise<Map<string, TableEntry[]>> => coldEntries(membersOnce(), file);
  const label = spec.label ?? path.basename(file).replace(/\.(tar\.gz|tgz)$/u, "");
  const identity = spec.identity ?? `archive:${file}`;
  return openIndexed({ label, url, commit: undefined, identity, stamp, source: { reparse }, cold }, deps);
}
