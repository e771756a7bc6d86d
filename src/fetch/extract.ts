// Extracts an archive (tar.gz/tgz, tbz/tar.bz2, tar.xz/txz, plain tar, zip) into a fresh
// directory, strips the single top-level directory as opam does, and checks that nothing in the
// result points outside it. Never writes anywhere but the (temporary) destination it is given.
//
// Why this split: 44% of real archives are bzip2, which has no fast JS decoder, so `bzip2 -dc`
// (or lbzip2) and `xz -dc` decode in their own process, in parallel with us; gzip is decoded
// in-process by node:zlib (an archive of at most 1 MiB in one call, while it inflates to at most
// 32 MiB), and so are zip archives (zip-extract.ts). The tar stream is read by our TarScanner
// (which enforces the path rules on every header) and written by TreeWriter, in-process and in
// chunks (memory stays bounded whatever an entry inflates to): spawning `tar` or `unzip` forks this large process and blocks the event loop while
// it does, which measured as the bottleneck of parallel pulls; and writing into a fresh directory
// needs no lstat/utimes per file, unlike node-tar. So an archive costs at most one spawn (GNU
// tar needs two for a .tbz).
import { spawn } from "node:child_process";
import { closeSync, createReadStream, fstatSync, mkdirSync, openSync, readdirSync, readSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { createGunzip, gunzipSync } from "node:zlib";
import { isUserError, UserError } from "../core/errors.js";
import { readFully } from "../core/read-fully.js";
import { newEntryChecker } from "./entry-check.js";
import { sharedDecoderPool, type Decoding } from "./decoder-pool.js";
import { bzip2Command, waitForExit } from "./tools.js";
import { TarScanner } from "./tar-scan.js";
import { DEFAULT_MAX_EXTRACTED_SIZE, TreeWriter, type WrittenFile } from "./tree-writer.js";
import { assertTreeContained } from "./tree-check.js";
import { extractZipInto } from "./zip-extract.js";
import { SMALL_COMPRESSED, SMALL_INFLATED } from "./inflate-whole.js";

export type ArchiveKind = "gzip" | "bzip2" | "xz" | "tar" | "zip";

/** Magic bytes first (29 real URLs have no suffix), then the name. */
export async function detectArchiveKind(file: string, name: string): Promise<ArchiveKind | undefined> {
  const head = Buffer.alloc(512);
  const fd = openSync(file, "r");
  let bytesRead: number;
  try {
    bytesRead = readSync(fd, head, 0, 512, 0);
  } finally {
    closeSync(fd);
  }
  if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (bytesRead >= 3 && head.subarray(0, 3).toString("latin1") === "BZh") return "bzip2";
  if (bytesRead >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return "xz";
  if (bytesRead >= 4 && head.readUInt32LE(0) === 0x04034b50) return "zip";
  if (bytesRead >= 4 && head.readUInt32LE(0) === 0x06054b50) return "zip";
  if (bytesRead >= 262 && head.subarray(257, 262).toString("latin1") === "ustar") return "tar";
  return kindFromName(name);
}

function kindFromName(name: string): ArchiveKind | undefined {
  const lower = name.toLowerCase().replace(/[?#].*$/, "");
  if (/\.(tar\.gz|tgz)$/.test(lower)) return "gzip";
  if (/\.(tar\.bz2|tbz2?|bz2)$/.test(lower)) return "bzip2";
  if (/\.(tar\.xz|txz)$/.test(lower)) return "xz";
  if (/\.zip$/.test(lower)) return "zip";
  if (/\.tar$/.test(lower)) return "tar";
  return undefined;
}

/** What bounds one extraction: the file data it may write (--max-extracted-size). */
export interface ExtractLimits {
  maxBytes: number;
}

export const DEFAULT_LIMITS: ExtractLimits = { maxBytes: DEFAULT_MAX_EXTRACTED_SIZE };

/** Where an extraction put the sources, and the regular files it wrote there (by relative path). */
export interface Extraction {
  content: string;
  files: ReadonlyMap<string, WrittenFile>;
}

/**
 * Extract `archive` into `workDir` (absent or empty) and return the directory holding
 * the sources: the single top-level directory when there is one and no top-level file, else
 * `workDir` itself. `label` (the URL) names the archive in errors.
 */
export async function extractArchive(archive: string, workDir: string, label: string, limits: ExtractLimits = DEFAULT_LIMITS): Promise<string> {
  return (await extractTree(archive, workDir, label, limits)).content;
}

/** extractArchive, with what each written file's stat and digest were. */
export async function extractTree(archive: string, workDir: string, label: string, limits: ExtractLimits = DEFAULT_LIMITS): Promise<Extraction> {
  const kind = await detectArchiveKind(archive, label);
  if (kind === undefined) throw new UserError("ARCHIVE_INVALID", `${label}: Unknown archive type (not gzip, bzip2, xz, zip or tar)`);
  const writer = new TreeWriter(workDir, label, limits.maxBytes);
  return extractInto(workDir, writer, () => (kind === "zip" ? extractZip(archive, writer, label) : extractTar(archive, kind, writer, label)), label);
}

/** Start the bzip2/xz decoders `sources` will need (named by their URLs) ahead of time. */
export function prepareDecoders(urls: readonly string[]): void {
  const count = urls.filter((url) => {
    const kind = kindFromName(url);
    return kind === "bzip2" || kind === "xz";
  }).length;
  if (count > 0) sharedDecoderPool().prestart(count);
}

/**
 * extractArchive for a tar stream decoded elsewhere (a bzip2 or xz decoder started by another
 * thread): `kind` names the compression in errors. The stream is destroyed on failure.
 */
export async function extractDecoded(decoded: Readable, kind: "bzip2" | "xz", workDir: string, label: string, limits: ExtractLimits = DEFAULT_LIMITS): Promise<Extraction> {
  const writer = new TreeWriter(workDir, label, limits.maxBytes);
  return extractInto(workDir, writer, () => unpackTar(decoded, undefined, kind, writer, label), label);
}

/**
 * Make `workDir`, fill it with `unpack` (which says whether it wrote symlinks), then find the
 * sources' directory and check the tree stays inside it. Metadata calls here and below are
 * synchronous: one quick system call each, cheaper than a thread-pool round trip.
 */
async function extractInto(workDir: string, writer: TreeWriter, unpack: () => Promise<boolean>, label: string): Promise<Extraction> {
  mkdirSync(workDir, { recursive: true });
  const mayHaveSymlinks = await unpack();
  const content = await stripTopLevel(workDir);
  if (mayHaveSymlinks) await assertTreeContained(content, label);
  return { content, files: filesBelow(writer.files, path.relative(workDir, content)) };
}

/** The written files inside `top` (a directory of the work directory, or "" for all), keyed below it. */
function filesBelow(files: ReadonlyMap<string, WrittenFile>, top: string): ReadonlyMap<string, WrittenFile> {
  if (top === "") return files;
  const prefix = `${top}/`;
  const below = new Map<string, WrittenFile>();
  for (const [name, file] of files) if (name.startsWith(prefix)) below.set(name.slice(prefix.length), file);
  return below;
}

/** Returns whether the archive contained symlinks. */
async function extractTar(archive: string, kind: Exclude<ArchiveKind, "zip">, writer: TreeWriter, label: string): Promise<boolean> {
  const inflated = kind === "gzip" ? gunzipSmall(archive, label) : undefined;
  if (inflated !== undefined) return unpackWhole(inflated, writer, label);
  const decoder = kind === "bzip2" || kind === "xz" ? await startDecoder(kind, archive) : undefined;
  const decoded: Readable = decoder ? decoder.stream : kind === "gzip" ? gunzipFile(archive) : createReadStream(archive, { highWaterMark: 1 << 20 });
  return unpackTar(decoded, decoder?.done, kind, writer, label);
}

/**
 * Scan and write every entry of the tar stream `decoded`; `decoderDone` is its decoder's status.
 * When both fail, decoderFailure() picks the cause.
 */
async function unpackTar(decoded: Readable, decoderDone: Promise<void> | undefined, kind: string, writer: TreeWriter, label: string): Promise<boolean> {
  const scanner = new TarScanner(label, newEntryChecker(label), writer);
  const ours = unpack(decoded, scanner).finally(() => writer.finish());
  // On our failure stop reading, so that the decoder ends (on a broken pipe) instead of blocking.
  ours.catch(() => decoded.destroy());
  const [unpacked, decoder] = await Promise.allSettled([ours, decoderDone]);
  const failure = pickFailure(unpacked, decoder);
  if (failure !== undefined) throw archiveError(failure, kind, label);
  return scanner.symlinks > 0;
}

/**
 * The failure to report when extracting from a decoder: ours (a write error, a refused entry, the
 * size cap), of which the decoder's broken pipe is only a consequence; but the decoder's own
 * error when it failed first and our side saw only the truncated or corrupt stream it left.
 */
export function pickFailure(ours: PromiseSettledResult<unknown>, decoder: PromiseSettledResult<unknown>): unknown {
  if (ours.status === "fulfilled") return decoder.status === "rejected" ? decoder.reason : undefined;
  if (decoder.status === "rejected" && !brokenPipe(decoder.reason) && isUserError(ours.reason) && ours.reason.code === "ARCHIVE_INVALID") return decoder.reason;
  return ours.reason;
}

/** A decoder that died writing to a pipe nobody reads any more (SIGPIPE: exit code 141). */
function brokenPipe(error: unknown): boolean {
  return /exit code 141|SIGPIPE|broken pipe/i.test((error as Error)?.message ?? "");
}

/** A failure while extracting, as the UserError that names the archive. */
export function archiveError(error: unknown, kind: string, label: string): UserError {
  if (error instanceof UserError) return error;
  return new UserError("ARCHIVE_INVALID", `${label}: corrupt ${kind} archive: ${(error as Error).message}`, { cause: error });
}

/** Every decoded byte goes through the scanner, which hands checked entries to the writer. */
async function unpack(decoded: Readable, scanner: TarScanner): Promise<void> {
  for await (const chunk of decoded) scanner.feed(chunk as Buffer);
  scanner.finish();
}

/**
 * A small .tar.gz inflated in one call: no stream, no thread-pool round trip per chunk (most
 * source archives are a few KB). undefined when it is larger, or inflates to more than
 * SMALL_INFLATED (then it is streamed, from the start).
 */
function gunzipSmall(archive: string, label: string): Buffer | undefined {
  const fd = openSync(archive, "r");
  let compressed: Buffer;
  try {
    const size = fstatSync(fd).size;
    if (size > SMALL_COMPRESSED) return undefined;
    compressed = Buffer.allocUnsafe(size);
    compressed = compressed.subarray(0, readFully(fd, compressed, 0, size, 0));
  } finally {
    closeSync(fd);
  }
  try {
    return gunzipSync(compressed, { maxOutputLength: SMALL_INFLATED });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") return undefined;
    throw archiveError(error, "gzip", label);
  }
}

/** unpackTar for a tar held whole in memory. */
function unpackWhole(tar: Buffer, writer: TreeWriter, label: string): boolean {
  const scanner = new TarScanner(label, newEntryChecker(label), writer);
  try {
    scanner.feed(tar);
    scanner.finish();
  } catch (error) {
    throw archiveError(error, "gzip", label);
  } finally {
    writer.finish();
  }
  return scanner.symlinks > 0;
}

function gunzipFile(archive: string): Readable {
  const source = createReadStream(archive, { highWaterMark: 1 << 20 });
  const gunzip = createGunzip({ chunkSize: 1 << 18 });
  source.on("error", (error) => gunzip.destroy(error));
  return source.pipe(gunzip);
}

/** The decoder program of a compressed tar. */
export function decoderCommand(kind: "bzip2" | "xz"): string {
  return kind === "bzip2" ? bzip2Command() : "xz";
}

/** Whether the helper pool can pass this file name (its protocol is line-based). */
export function poolCanDecode(archive: string): boolean {
  return !archive.includes("\n");
}

/** `bzip2 -dc` / `xz -dc` through the helper pool (a direct spawn for names it cannot pass). */
async function startDecoder(kind: "bzip2" | "xz", archive: string): Promise<Decoding> {
  const command = decoderCommand(kind);
  if (poolCanDecode(archive)) return sharedDecoderPool().decode(command, archive);
  const child = spawn(command, ["-dc", "--", archive], { stdio: ["ignore", "pipe", "pipe"] });
  return { stream: child.stdout!, done: waitForExit(child, command, "ARCHIVE_INVALID") };
}

/** Returns whether the archive contained symlinks. */
async function extractZip(archive: string, writer: TreeWriter, label: string): Promise<boolean> {
  try {
    return await extractZipInto(archive, writer, label);
  } catch (error) {
    throw archiveError(error, "zip", label);
  } finally {
    writer.finish();
  }
}

/**
 * opam's rule: ignoring `pax_global_header`, a single top-level directory and no top-level
 * file means the sources are inside it. Several top-level directories (opam: an internal
 * error) are kept as they are.
 */
async function stripTopLevel(workDir: string): Promise<string> {
  const entries = readdirSync(workDir, { withFileTypes: true }).filter((entry) => entry.name !== "pax_global_header");
  if (entries.length !== 1 || !entries[0].isDirectory()) return workDir;
  return path.join(workDir, entries[0].name);
}
