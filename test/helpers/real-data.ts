// Test/benchmark helper: locates the shared data directory and reads the opam repository
// snapshots (.tar.gz) entirely in memory (gunzip + a small tar reader). Never writes to disk.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

export type SnapshotName = "opam-repository" | "opam-overlays" | "mirage-opam-overlays";

export const SNAPSHOT_NAMES: readonly SnapshotName[] = ["opam-repository", "opam-overlays", "mirage-opam-overlays"];

/** A regular file of a snapshot; `path` is relative to the repository root (`packages/a/a.1/opam`). */
export interface SnapshotEntry {
  path: string;
  data: Buffer;
}

export interface SnapshotFile {
  path: string;
  text: string;
}

/** The directory holding package.json above this file (works from dist/ too), else above the cwd. */
export function projectRoot(): string {
  const fromHere = findUp(path.dirname(fileURLToPath(import.meta.url)));
  const root = fromHere ?? findUp(process.cwd());
  if (root === undefined) throw new Error("real-data: no package.json above this file or the working directory");
  return root;
}

function findUp(start: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** `<projectRoot>/../shared/data`, or undefined when it does not exist. */
export function sharedDataDir(): string | undefined {
  const dir = path.resolve(projectRoot(), "../shared/data");
  return existsSync(dir) ? dir : undefined;
}

/** Path of `<name>.tar.gz` in the shared data directory, or undefined when absent. */
export function snapshotArchive(name: SnapshotName): string | undefined {
  const dir = sharedDataDir();
  const file = dir === undefined ? undefined : path.join(dir, `${name}.tar.gz`);
  return file !== undefined && existsSync(file) ? file : undefined;
}

const entryCache = new Map<SnapshotName, SnapshotEntry[]>();
const opamCache = new Map<SnapshotName, SnapshotFile[]>();

/** Every regular file of a snapshot, in archive order, with the top-level directory stripped. */
export function readSnapshotEntries(name: SnapshotName): SnapshotEntry[] {
  let entries = entryCache.get(name);
  if (entries === undefined) {
    const archive = snapshotArchive(name);
    if (archive === undefined) throw new Error(`real-data: snapshot ${name}.tar.gz not found (shared data dir: ${sharedDataDir() ?? "absent"})`);
    entries = readTar(gunzipSync(readFileSync(archive))).map((e) => ({ path: stripFirstComponent(e.path), data: e.data }));
    entryCache.set(name, entries);
  }
  return entries;
}

const OPAM_FILE = /^packages\/[^/]+\/[^/]+\/opam$/;

/** Every `packages/<name>/<name>.<version>/opam` file of a snapshot, as UTF-8 text. */
export function readSnapshot(name: SnapshotName): SnapshotFile[] {
  let files = opamCache.get(name);
  if (files === undefined) {
    files = readSnapshotEntries(name)
      .filter((e) => OPAM_FILE.test(e.path))
      .map((e) => ({ path: e.path, text: e.data.toString("utf8") }));
    opamCache.set(name, files);
  }
  return files;
}

function stripFirstComponent(p: string): string {
  const slash = p.indexOf("/");
  return slash < 0 ? p : p.slice(slash + 1);
}

/** Regular files of an uncompressed tar (ustar, pax `path` records, GNU long names). */
export function readTar(tar: Buffer): SnapshotEntry[] {
  const entries: SnapshotEntry[] = [];
  let longName: string | undefined;
  for (let off = 0; off + 512 <= tar.length;) {
    const header = tar.subarray(off, off + 512);
    if (header[0] === 0) break; // end-of-archive zero block
    const size = tarNumber(header.subarray(124, 136));
    const type = String.fromCharCode(header[156]!);
    const data = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") longName = paxPath(data) ?? longName;
    else if (type === "L") longName = cString(data);
    else if (type === "g") continue;
    else {
      const prefix = header.subarray(257, 262).toString("latin1") === "ustar" ? cString(header.subarray(345, 500)) : "";
      const name = longName ?? (prefix === "" ? cString(header.subarray(0, 100)) : `${prefix}/${cString(header.subarray(0, 100))}`);
      longName = undefined;
      if (type === "0" || type === "\0" || type === "7") entries.push({ path: name, data });
    }
  }
  return entries;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end < 0 ? bytes.length : end).toString("utf8");
}

function tarNumber(field: Buffer): number {
  if ((field[0]! & 0x80) !== 0) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = cString(field).trim();
  return text === "" ? 0 : parseInt(text, 8);
}

/** The `path` record of a pax extended header ("<len> path=<value>\n" records). */
function paxPath(data: Buffer): string | undefined {
  let found: string | undefined;
  for (let off = 0; off < data.length;) {
    const space = data.indexOf(0x20, off);
    if (space < 0) break;
    const length = parseInt(data.subarray(off, space).toString("latin1"), 10);
    if (!(length > 0)) break;
    const record = data.subarray(space + 1, off + length - 1).toString("utf8");
    if (record.startsWith("path=")) found = record.slice(5);
    off += length;
  }
  return found;
}
