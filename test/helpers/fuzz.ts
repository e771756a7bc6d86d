// Support for the fuzz tests (test/fuzz/): a seeded PRNG (FUZZ_SEED replays a run; the seed is
// in every failure message), byte and text mutations, tar-aware mutations (a header field changed
// with its checksum fixed, a hostile entry spliced in), the checks every case must pass (success
// or one paragraph, nothing written outside), and a per-case timeout.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { cliPath, pinnedEnv, type CliResult } from "./cli.js";
import { tarHeader } from "./tar-blocks.js";

/** The run's seed: FUZZ_SEED when set, else a fresh one. */
export const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  int(below: number): number;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: small, fast, good enough to pick mutations. */
export function rng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number) => Math.floor(next() * below);
  return { next, int, pick: (items) => items[int(items.length)]! };
}

/** Where a failing case is replayed from. */
export function replay(name: string, index: number): string {
  return `[fuzz ${name} case ${index}: replay with FUZZ_SEED=${FUZZ_SEED}]`;
}

const INTERESTING_BYTES = [0x00, 0xff, 0x2f, 0x2e, 0x30, 0x31, 0x32, 0x35, 0x37, 0x7f, 0x80, 0x20, 0x0a];

/** One random byte-level change: flips, interesting bytes, truncation, a repeated or removed slice. */
export function mutateBytes(r: Rng, input: Buffer): Buffer {
  const data = Buffer.from(input);
  if (data.length === 0) return data;
  switch (r.int(6)) {
    case 0:
      for (let count = 1 + r.int(4); count > 0; count--) data[r.int(data.length)] ^= 1 << r.int(8);
      return data;
    case 1:
      for (let count = 1 + r.int(4); count > 0; count--) data[r.int(data.length)] = r.pick(INTERESTING_BYTES);
      return data;
    case 2:
      return data.subarray(0, r.int(data.length));
    case 3: {
      const start = r.int(data.length);
      const slice = data.subarray(start, start + 1 + r.int(1024));
      const at = r.int(data.length);
      return Buffer.concat([data.subarray(0, at), slice, data.subarray(at)]);
    }
    case 4: {
      const start = r.int(data.length);
      return Buffer.concat([data.subarray(0, start), data.subarray(start + 1 + r.int(1024))]);
    }
    default: {
      const at = r.int(data.length);
      const value = r.pick(["0", "-1", "77777777777", "99999999999", "\xff\xff\xff\xff"]);
      data.write(value, at, "latin1");
      return data;
    }
  }
}

const TOKENS = ["../", "/", "..", "-", "--upload-pack=touch /tmp/x", '"', "[", "]", "{", "}", "\n", "=", "dune", ".opam-monorepo-tmp-1-deadbeef", "a/b", "#", "%{x}%", "é", "\0", "x".repeat(5000), "0", "-1", "sha256=", "md5="];

/** One random text-level change: a character, a token, a line removed or repeated, lines swapped. */
export function mutateText(r: Rng, text: string): string {
  const lines = text.split("\n");
  switch (r.int(5)) {
    case 0: {
      const at = r.int(text.length + 1);
      return text.slice(0, at) + r.pick(TOKENS) + text.slice(at + r.int(3));
    }
    case 1: {
      const at = r.int(text.length);
      return text.slice(0, at) + String.fromCharCode(r.int(128)) + text.slice(at + 1);
    }
    case 2:
      lines.splice(r.int(lines.length), 1 + r.int(2));
      return lines.join("\n");
    case 3: {
      const at = r.int(lines.length);
      lines.splice(at, 0, ...lines.slice(r.int(lines.length)).slice(0, 1 + r.int(3)));
      return lines.join("\n");
    }
    default: {
      const [a, b] = [r.int(lines.length), r.int(lines.length)];
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return lines.join("\n");
    }
  }
}

/** Offsets of the header blocks of a plain tar (walking the size fields). */
export function tarHeaderOffsets(tar: Buffer): number[] {
  const offsets: number[] = [];
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const block = tar.subarray(offset, offset + 512);
    if (block.every((byte) => byte === 0)) break;
    offsets.push(offset);
    const size = parseInt(block.toString("latin1", 124, 136).replace(/\0.*$/s, "").trim() || "0", 8) || 0;
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return offsets;
}

function fixChecksum(block: Buffer): void {
  block.write("        ", 148, "latin1");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
}

/** A header's type, name, link name, size or mode changed, its checksum fixed so that it is read. */
function mutateHeader(r: Rng, tar: Buffer, names: string[], escape: string): Buffer {
  const offsets = tarHeaderOffsets(tar);
  if (offsets.length === 0) return tar;
  const data = Buffer.from(tar);
  const at = r.pick(offsets);
  const header = data.subarray(at, at + 512);
  const field = r.int(5);
  if (field === 0) header.write(r.pick(["0", "1", "2", "5", "3", "4", "6", "7", "L", "K", "x", "g", "S", "V", "Z"]), 156, "latin1");
  else if (field === 1) header.fill(0, 0, 100).write(hostileName(r, names, escape), 0, "utf8");
  else if (field === 2) header.fill(0, 157, 257).write(hostileTarget(r, names, escape), 157, "utf8");
  else if (field === 3) header.write(r.pick(["77777777777\0", "00000001000\0", "-0000000001\0", "\x80\0\0\0\0\0\0\0\0\0\0\x01", "0000000000x\0"]), 124, "latin1");
  else header.write(r.pick(["0000000\0", "0007777\0", "0000000\x01", "x\0"]), 100, "latin1");
  fixChecksum(header);
  return data;
}

function hostileName(r: Rng, names: string[], escape: string): string {
  const name = names.length > 0 ? r.pick(names) : "pkg/x";
  return r.pick([`${name}/x`, `${name}/../../x`, "../x", `${escape}/x`, name, `${name}/`, "./", "pkg/h", "pkg/h/x", `pkg/${"d/".repeat(30)}x`]);
}

function hostileTarget(r: Rng, names: string[], escape: string): string {
  const name = names.length > 0 ? r.pick(names) : "pkg/x";
  return r.pick(["..", "../..", "../../..", ".", escape, name, `${name}/..`, "pkg", "pkg/h", "pkg/link", "../".repeat(1 + r.int(5))]);
}

/** A hostile entry (file, dir, symlink, hard link, device) inserted before a random header. */
function spliceEntry(r: Rng, tar: Buffer, names: string[], escape: string): Buffer {
  const offsets = [...tarHeaderOffsets(tar), Math.max(0, tar.length - 1024)];
  const at = r.pick(offsets);
  const type = r.pick(["0", "1", "1", "2", "2", "5", "3"]);
  const body = type === "0" ? Buffer.from("x".repeat(r.int(700))) : Buffer.alloc(0);
  const header = tarHeader(hostileName(r, names, escape), type, body.length, type === "1" || type === "2" ? hostileTarget(r, names, escape) : "");
  const padded = Buffer.concat([body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
  return Buffer.concat([tar.subarray(0, at), header, padded, tar.subarray(at)]);
}

/**
 * The link-chain shapes in one go, before a random header: a symlink some levels up (inside or
 * just outside), a hard link or a second symlink to it, then a file written through the second.
 */
function spliceChain(r: Rng, tar: Buffer, names: string[]): Buffer {
  const dirs = names.filter((name) => name.endsWith("/")).map((name) => name.slice(0, -1));
  const dir = dirs.length > 0 ? r.pick(dirs) : "pkg";
  const depth = dir.split("/").length;
  const link = `${dir}/s${r.int(10)}`;
  const second = `${r.pick(dirs.length > 0 ? dirs : ["pkg"])}/h${r.int(10)}`;
  const blocks = [
    tarHeader(link, "2", 0, "../".repeat(depth + r.int(2))),
    tarHeader(second, r.pick(["1", "2"]), 0, r.int(2) === 0 ? link : path.posix.relative(path.posix.dirname(second), link)),
    tarHeader(`${second}/${r.pick(["x", "../x", "d/x"])}`, "0", 0),
  ];
  const offsets = [...tarHeaderOffsets(tar), Math.max(0, tar.length - 1024)];
  const at = r.pick(offsets);
  return Buffer.concat([tar.subarray(0, at), ...blocks, tar.subarray(at)]);
}

/** One tar-aware mutation (or a byte-level one) of a plain tar whose entries are `names`. */
export function mutateTar(r: Rng, tar: Buffer, names: string[], escape: string): Buffer {
  const choice = r.int(5);
  if (choice === 0) return mutateBytes(r, tar);
  if (choice === 1) return mutateHeader(r, tar, names, escape);
  if (choice === 2) return spliceChain(r, tar, names);
  return spliceEntry(r, tar, names, escape);
}

/** Every path below `dir` (relative), directories included. */
export function listTree(dir: string, prefix = ""): string[] {
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const relative = path.join(prefix, entry.name);
    return [relative, ...(entry.isDirectory() ? listTree(path.join(dir, entry.name), relative) : [])];
  });
}

/** What a failing command must look like: exit 1, one `[ERROR]` paragraph, no stack, no bug. */
export function badOutcome(code: number | null, stderr: string): string | undefined {
  if (code === 0) return undefined;
  if (code !== 1) return `exit code ${code}`;
  if (/\n\s+at |unexpected error|this is a bug|internal error/i.test(stderr)) return "a stack trace or a bug report";
  if (!/\[ERROR\]/.test(stderr)) return "no [ERROR] line";
  return undefined;
}

/** `promise`, or a rejection after `ms` (the case hung). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms (a hang)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The real CLI, killed (and reported as a hang: code null) after `ms`. */
export function runCliTimed(args: readonly string[], options: { cwd: string; home: string; env?: NodeJS.ProcessEnv }, ms: number): Promise<CliResult & { hung: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: options.cwd, env: pinnedEnv(options.home, options.env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, ms);
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, hung });
    });
  });
}
