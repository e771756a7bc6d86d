// Extracts an archive (tar.gz/tgz, tbz/tar.bz2, tar.xz/txz, plain tar, zip) into a fresh
// directory, strips the single top-level directory as opam does, and checks that nothing in the
// result points outside it. Never writes anywhere but the (temporary) destination it is given.
//
// Why system tools: GNU tar writes files several times faster than a JS tar writer, and 44% of
// real archives are bzip2, which has no fast JS decoder; `bzip2 -dc` (or lbzip2, multi-threaded)
// and `xz -dc` run in parallel with us. gzip is decoded in-process by node:zlib. Every decoded
// byte passes through TarScanner before tar sees it, so the path rules are ours, not tar's.
import { spawn, type ChildProcess } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { UserError } from "../core/errors.js";
import { newEntryChecker } from "./entry-check.js";
import { bzip2Command, waitForExit } from "./tools.js";
import { TarScanner } from "./tar-scan.js";
import { assertTreeContained } from "./tree-check.js";
import { checkZipEntries, listZipEntries } from "./zip-scan.js";

export type ArchiveKind = "gzip" | "bzip2" | "xz" | "tar" | "zip";

/** Magic bytes first (29 real URLs have no suffix), then the name. */
export async function detectArchiveKind(file: string, name: string): Promise<ArchiveKind | undefined> {
  const head = Buffer.alloc(512);
  const handle = await open(file, "r");
  const { bytesRead } = await handle.read(head, 0, 512, 0).finally(() => handle.close());
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

/**
 * Extract `archive` into `workDir` (created, must not exist) and return the directory holding
 * the sources: the single top-level directory when there is one and no top-level file, else
 * `workDir` itself. `label` (the URL) names the archive in errors.
 */
export async function extractArchive(archive: string, workDir: string, label: string): Promise<string> {
  const kind = await detectArchiveKind(archive, label);
  if (kind === undefined) throw new UserError("ARCHIVE_INVALID", `${label}: Unknown archive type (not gzip, bzip2, xz, zip or tar)`);
  await mkdir(path.dirname(workDir), { recursive: true });
  await mkdir(workDir);
  if (kind === "zip") await extractZip(archive, workDir, label);
  else await extractTar(archive, kind, workDir, label);
  const content = await stripTopLevel(workDir);
  await assertTreeContained(content, label);
  return content;
}

async function extractTar(archive: string, kind: Exclude<ArchiveKind, "zip">, dest: string, label: string): Promise<void> {
  const tar = spawn("tar", ["-x", "-f", "-", "-C", dest, "--no-same-owner", "--no-same-permissions", "--warning=no-unknown-keyword"], {
    stdio: ["pipe", "ignore", "pipe"],
  });
  const tarDone = waitForExit(tar, "tar", "ARCHIVE_INVALID");
  const decoder = kind === "bzip2" || kind === "xz" ? spawnDecoder(kind, archive) : undefined;
  const decoded: Readable = decoder ? decoder.stdout! : kind === "gzip" ? createReadStream(archive).pipe(createGunzip()) : createReadStream(archive);
  const scanner = new TarScanner(label, newEntryChecker(label));
  const scan = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        callback(null, scanner.feed(chunk));
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback) {
      try {
        scanner.finish();
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  try {
    const feeding = pipeline(decoded, scan, tar.stdin!).catch((error) => {
      if ((error as { code?: string }).code === "EPIPE") return;
      throw error;
    });
    await Promise.all([feeding, tarDone, decoder ? waitForExit(decoder, kind, "ARCHIVE_INVALID") : undefined]);
  } catch (error) {
    tar.kill("SIGKILL");
    decoder?.kill("SIGKILL");
    await tarDone.catch(() => undefined);
    if (error instanceof UserError) throw error;
    throw new UserError("ARCHIVE_INVALID", `${label}: corrupt ${kind} archive: ${(error as Error).message}`, { cause: error });
  }
}

function spawnDecoder(kind: "bzip2" | "xz", archive: string): ChildProcess {
  const command = kind === "bzip2" ? bzip2Command() : "xz";
  return spawn(command, ["-dc", archive], { stdio: ["ignore", "pipe", "pipe"] });
}

async function extractZip(archive: string, dest: string, label: string): Promise<void> {
  checkZipEntries(await listZipEntries(archive).catch((error) => {
    throw error instanceof UserError ? error : new UserError("ARCHIVE_INVALID", `${label}: ${(error as Error).message}`);
  }), label);
  const unzip = spawn("unzip", ["-q", "-o", archive, "-d", dest], { stdio: ["ignore", "ignore", "pipe"] });
  // unzip exits 1 for warnings (e.g. a comment it did not like); the files are there.
  await waitForExit(unzip, "unzip", "ARCHIVE_INVALID", [0, 1]);
}

/**
 * opam's rule: ignoring `pax_global_header`, a single top-level directory and no top-level
 * file means the sources are inside it. Several top-level directories (opam: an internal
 * error) are kept as they are.
 */
async function stripTopLevel(workDir: string): Promise<string> {
  const entries = (await readdir(workDir, { withFileTypes: true })).filter((entry) => entry.name !== "pax_global_header");
  if (entries.length !== 1 || !entries[0].isDirectory()) return workDir;
  return path.join(workDir, entries[0].name);
}
