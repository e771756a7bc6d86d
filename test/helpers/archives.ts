// Builds real archives for tests and benchmarks with the system tools (tar, bzip2, xz, zip):
// every format pull supports, with symlinks and exec bits, and hostile ones (`../` paths,
// absolute paths, escaping symlinks, writes through a symlink) for the safety tests.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export type ArchiveFormat = "tar.gz" | "tgz" | "tbz" | "tar.bz2" | "tar.xz" | "txz" | "zip" | "tar";
export const ALL_FORMATS: ArchiveFormat[] = ["tar.gz", "tgz", "tbz", "tar.bz2", "tar.xz", "txz", "zip", "tar"];

export type TreeEntry = string | { content: string; mode: number } | { symlink: string };

/** Write `tree` (relative path → content, `{content, mode}` or `{symlink}`) under `dir`. */
export function writeTree(dir: string, tree: Record<string, TreeEntry>): void {
  for (const [name, entry] of Object.entries(tree)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    if (typeof entry === "string") writeFileSync(file, entry);
    else if ("symlink" in entry) symlinkSync(entry.symlink, file);
    else {
      writeFileSync(file, entry.content);
      chmodSync(file, entry.mode);
    }
  }
}

/** A small source tree with what extraction must keep: a subdirectory, an exec bit, a symlink. */
export const SAMPLE_TREE: Record<string, TreeEntry> = {
  "dune-project": "(lang dune 3.0)\n",
  "src/lib.ml": "let x = 1\n",
  "bin/run.sh": { content: "#!/bin/sh\necho hi\n", mode: 0o755 },
  "link-to-lib": { symlink: "src/lib.ml" },
};

const TAR_FLAG: Record<Exclude<ArchiveFormat, "zip">, string> = { "tar.gz": "z", tgz: "z", tbz: "j", "tar.bz2": "j", "tar.xz": "J", txz: "J", tar: "" };

/**
 * Archive the entries `names` of `parent` (usually one top-level directory) into `out`.
 * The format comes from `format`, not from the name of `out` (which may have no suffix).
 */
export function makeArchive(parent: string, names: string[], out: string, format: ArchiveFormat): string {
  mkdirSync(path.dirname(out), { recursive: true });
  rmSync(out, { force: true });
  if (format === "zip") {
    // zip adds ".zip" to a name without a suffix: write there, then rename.
    const withSuffix = `${out}.tmp.zip`;
    execFileSync("zip", ["-q", "-r", "-y", withSuffix, ...names], { cwd: parent });
    renameSync(withSuffix, out);
  }
  else execFileSync("tar", [`-c${TAR_FLAG[format]}f`, out, "--owner=0", "--group=0", "--sort=name", "-C", parent, ...names]);
  return out;
}

/** Build `{ top/…tree }` in a temp dir and archive it; returns the archive path. */
export function archiveOf(tree: Record<string, TreeEntry>, out: string, format: ArchiveFormat, top = "pkg-1.0"): string {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "archive-src-"));
  try {
    writeTree(path.join(scratch, top), tree);
    return makeArchive(scratch, [top], out, format);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export type UnsafeKind = "dotdot" | "absolute" | "symlink-escape" | "symlink-absolute" | "symlink-then-write" | "hardlink-escape";

/** A tar (compressed per `format`) whose entries try to escape the destination. */
export function unsafeTar(kind: UnsafeKind, out: string, format: Exclude<ArchiveFormat, "zip">, escapeTo = "/tmp/opam-monorepo-escape-test"): string {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "unsafe-src-"));
  const plain = path.join(scratch, "out.tar");
  const tar = (...args: string[]) => execFileSync("tar", ["--owner=0", "--group=0", "-C", scratch, ...args], { stdio: ["ignore", "ignore", "ignore"] });
  try {
    writeTree(scratch, { "pkg/README": "fine\n", "evil": "evil\n" });
    tar("-cf", plain, "pkg");
    if (kind === "dotdot") tar("-rf", plain, "-P", "--transform", "s,^evil,pkg/../../evil,", "evil");
    if (kind === "absolute") tar("-rf", plain, "-P", "--transform", `s,^evil,${escapeTo},`, "evil");
    if (kind === "symlink-escape") addSymlink(scratch, plain, "pkg/link", "../../..");
    if (kind === "symlink-absolute") addSymlink(scratch, plain, "pkg/link", path.dirname(escapeTo));
    if (kind === "symlink-then-write") {
      addSymlink(scratch, plain, "pkg/link", path.dirname(escapeTo));
      tar("-rf", plain, "--transform", `s,^evil,pkg/link/${path.basename(escapeTo)},`, "evil");
    }
    if (kind === "hardlink-escape") appendHardLink(plain, "pkg/hard", "/etc/passwd");
    return compress(plain, out, format);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function addSymlink(scratch: string, plain: string, name: string, target: string): void {
  const link = path.join(scratch, "links", name);
  mkdirSync(path.dirname(link), { recursive: true });
  symlinkSync(target, link);
  execFileSync("tar", ["--owner=0", "--group=0", "-C", path.join(scratch, "links"), "-rf", plain, name]);
}

/** Append a hard link entry written by hand (tar will not make one to an absolute path). */
function appendHardLink(plain: string, name: string, target: string): void {
  const data = readFileSync(plain);
  const end = findEnd(data);
  const header = Buffer.alloc(512);
  header.write(name, 0, "utf8");
  header.write("0000644\0", 100, "latin1");
  header.write("0000000\0", 108, "latin1");
  header.write("0000000\0", 116, "latin1");
  header.write("00000000000\0", 124, "latin1");
  header.write("00000000000\0", 136, "latin1");
  header.write("1", 156, "latin1");
  header.write(target, 157, "utf8");
  header.write("ustar  \0", 257, "latin1");
  header.write("        ", 148, "latin1");
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  writeFileSync(plain, Buffer.concat([data.subarray(0, end), header, Buffer.alloc(1024)]));
}

/** Offset of the end-of-archive zero blocks. */
function findEnd(data: Buffer): number {
  let offset = 0;
  while (offset + 512 <= data.length && !data.subarray(offset, offset + 512).every((byte) => byte === 0)) {
    const size = parseInt(data.subarray(offset + 124, offset + 136).toString("latin1").replace(/\0.*$/, "").trim() || "0", 8);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return offset;
}

function compress(plain: string, out: string, format: Exclude<ArchiveFormat, "zip">): string {
  const tool = { z: ["gzip", "-c"], j: ["bzip2", "-c"], J: ["xz", "-c"], "": ["cat"] }[TAR_FLAG[format]]!;
  writeFileSync(out, execFileSync(tool[0], [...tool.slice(1), plain], { maxBuffer: 1 << 30 }));
  return out;
}

/** A zip whose entry names escape (`../evil`, `/abs/evil`) or with a symlink pointing out. */
export function unsafeZip(kind: "dotdot" | "absolute" | "symlink-escape", out: string): string {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "unsafe-zip-"));
  try {
    writeTree(scratch, { "pkg/README": "fine\n", "xxxxxxx/evil": "evil\n", "pkg/link": { symlink: "../../../../etc" } });
    rmSync(out, { force: true });
    const names = kind === "symlink-escape" ? ["pkg"] : ["pkg/README", "xxxxxxx/evil"];
    execFileSync("zip", ["-q", "-r", "-y", out, ...names], { cwd: scratch });
    if (kind !== "symlink-escape") {
      // Same-length rename of the entry in both local and central headers (CRCs cover data only).
      const replacement = kind === "dotdot" ? "./../../" : "/tmp/xx/";
      const data = readFileSync(out);
      writeFileSync(out, Buffer.from(data.toString("latin1").split("xxxxxxx/").join(replacement), "latin1"));
    }
    return out;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export type TarFormat = "ustar" | "gnu" | "pax";

/**
 * The hard-link-to-symlink attack (issue 13, item 2), built by GNU tar from a real tree: a
 * symlink `pkg/<n dirs>/s -> ../ × (n+1)` (inside the archive), a hard link `pkg/h` to it (a
 * second symlink, whose target now points `up` = n levels above the destination), then a file
 * `pkg/h/<marker>` written through it. gnu and pax store the long link name in a K record and a
 * pax `linkpath`; ustar, which cannot, uses short names.
 */
export function hardLinkToSymlinkTar(out: string, format: TarFormat, compression: Exclude<ArchiveFormat, "zip">, marker: string, up = 4): string {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "hardlink-src-"));
  const plain = path.join(scratch, "out.tar");
  try {
    const dirs = Array.from({ length: up }, (_, index) => (format === "ustar" ? `d${index}` : `a-${"long-directory-name-".repeat(2)}${index}`));
    const linkDir = path.join(scratch, "src", "pkg", ...dirs);
    mkdirSync(linkDir, { recursive: true });
    symlinkSync("../".repeat(up + 1), path.join(linkDir, "s"));
    execFileSync("ln", ["-P", path.join(linkDir, "s"), path.join(scratch, "src", "pkg", "h")]);
    writeFileSync(path.join(scratch, "evil"), "written outside\n");
    const tar = (...args: string[]) => execFileSync("tar", [`--format=${format}`, "--owner=0", "--group=0", ...args], { stdio: ["ignore", "ignore", "pipe"] });
    tar("--sort=name", "-cf", plain, "-C", path.join(scratch, "src"), "pkg");
    tar("-rf", plain, "-C", scratch, "--transform", `s,^evil,pkg/h/${marker},`, "evil");
    return compress(plain, out, compression);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
