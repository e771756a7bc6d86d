// A repository packed in a local .tar.gz (opam 2.2+ `$OPAMROOT/repo/<name>.tar.gz`, snapshots,
// downloaded tarballs), read in memory without extracting. The index cache is keyed by the
// archive's size, mtime and sha256; on a miss every opam file is checked (cold-parse.ts).
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { UserError } from "../core/errors.js";
import { openIndexed } from "./indexed.js";
import { parseOpamMemberPath } from "./layout.js";
import { groupByName, type TableEntry } from "./package-table.js";
import { encodeOpamText } from "./opam-text.js";
import { parseTexts, type TextSource } from "./cold-parse.js";
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

function readArchive(file: string, url: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UserError("REPO_UNREACHABLE", `repository ${url} is unreachable: cannot read ${file}: ${(error as Error).message}`);
  }
}

function archiveStamp(file: string, bytes: Buffer): string {
  const stats = statSync(file, { bigint: true });
  return `${stats.size}:${stats.mtimeNs}:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** The opam files of the repository in `bytes`: `[top/]packages/<n>/<n>.<v>/opam`. */
function opamMembers(bytes: Buffer, file: string, url: string): OpamMember[] {
  let files;
  try {
    files = readTarFiles(gunzipSync(bytes));
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

function coldEntries(members: OpamMember[], file: string): Map<string, TableEntry[]> {
  const sources: TextSource[] = members.map((m) => ({
    name: m.name,
    version: m.version,
    file: `${file}/${m.member}`,
    fill: (target, offset) => {
      const fits = offset + m.data.length <= target.length;
      if (fits) m.data.copy(target, offset);
      return { stamp: "", length: m.data.length, fits };
    },
  }));
  return groupByName(parseTexts(sources));
}

/** Opens a local `.tar.gz` repository. */
export async function openArchive(spec: ArchiveSpec, deps: OpenDeps): Promise<Repository> {
  const file = path.resolve(spec.path);
  const url = spec.url ?? `file://${file}`;
  const bytes = readArchive(file, url);
  let members: OpamMember[] | undefined;
  const membersOnce = (): OpamMember[] => (members ??= opamMembers(bytes, file, url));
  const reparse = (name: string, version: string): Buffer | undefined => {
    const m = membersOnce().find((candidate) => candidate.name === name && candidate.version === version);
    return m === undefined ? undefined : encodeOpamText(m.data.toString("utf8"), `${file}/${m.member}`, name, version);
  };
  const cold = async (): Promise<Map<string, TableEntry[]>> => {
    const entries = coldEntries(membersOnce(), file);
    members = undefined;
    return entries;
  };
  const label = spec.label ?? path.basename(file).replace(/\.(tar\.gz|tgz)$/u, "");
  const identity = spec.identity ?? `archive:${file}`;
  return openIndexed({ label, url, commit: undefined, identity, stamp: archiveStamp(file, bytes), source: { reparse }, cold }, deps);
}
