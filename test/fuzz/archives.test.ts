// Fuzzing archive extraction (issue 13, "Also"): real source trees (files of the opam-overlays
// snapshot, and the generated tree the pull benchmark archives) as tar, tar.gz, tbz, txz and zip,
// mutated at random (bytes, tar header fields with their checksum fixed, hostile entries spliced
// in). Each extraction must succeed or fail with a UserError, within its timeout, and write nothing
// outside its destination; a subset goes through the real CLI `pull`. FUZZ_SEED replays a run.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, expect, test } from "vitest";
import { isUserError } from "../../src/core/errors.js";
import { extractArchive } from "../../src/fetch/extract.js";
import { badOutcome, FUZZ_SEED, listTree, mutateBytes, mutateTar, replay, rng, runCliTimed, withTimeout, type Rng } from "../helpers/fuzz.js";
import { serveDirectory, type StaticServer } from "../helpers/http.js";
import { writePullProject } from "../helpers/pull-project.js";
import { defaultTree, hashesOf } from "../helpers/pull-world.js";
import { readSnapshotEntries, snapshotArchive } from "../helpers/real-data.js";

const INTERNAL_CASES = Number(process.env.FUZZ_ARCHIVE_CASES ?? 80);
const CLI_CASES = Number(process.env.FUZZ_ARCHIVE_CLI_CASES ?? 3);
const KINDS = ["tar", "tar.gz", "tbz", "txz", "zip"] as const;
type Kind = (typeof KINDS)[number];

const scratch = mkdtempSync(path.join(os.tmpdir(), "fuzz-archives-"));
/** Absolute symlink targets and paths point here: it must stay empty. */
const escape = path.join(scratch, "escape-target");
let server: StaticServer;

interface Seed {
  name: string;
  /** The plain tar and its entry names (for hostile names and targets). */
  tar: Buffer;
  names: string[];
  zip: Buffer;
}
const seeds: Seed[] = [];

/** A real tree written to disk, archived by GNU tar and zip. */
function seedOf(name: string, files: { path: string; data: Buffer }[]): Seed {
  const src = path.join(scratch, `seed-${name}`);
  const top = path.join(src, "pkg-1.0");
  for (const file of files) {
    mkdirSync(path.dirname(path.join(top, file.path)), { recursive: true });
    writeFileSync(path.join(top, file.path), file.data);
  }
  symlinkSync(files[0]!.path, path.join(top, "link"));
  writeFileSync(path.join(top, "run.sh"), "#!/bin/sh\n");
  chmodSync(path.join(top, "run.sh"), 0o755);
  const tarFile = path.join(scratch, `${name}.tar`);
  execFileSync("tar", ["-cf", tarFile, "--owner=0", "--group=0", "--sort=name", "-C", src, "pkg-1.0"]);
  const zipFile = path.join(scratch, `${name}.zip`);
  execFileSync("zip", ["-q", "-r", "-y", zipFile, "pkg-1.0"], { cwd: src });
  const names = execFileSync("tar", ["-tf", tarFile], { encoding: "utf8" }).split("\n").filter(Boolean);
  return { name, tar: readFileSync(tarFile), names, zip: readFileSync(zipFile) };
}

beforeAll(async () => {
  mkdirSync(escape);
  if (snapshotArchive("opam-overlays")) {
    const files = readSnapshotEntries("opam-overlays").filter((entry) => entry.data.length < 8192).slice(0, 24);
    seeds.push(seedOf("opam-overlays", files));
  } else console.warn("fuzz/archives: ../shared/data/opam-overlays.tar.gz is missing: only the generated tree is fuzzed");
  const generated = Object.entries(defaultTree("alpha")).flatMap(([file, entry]) => (typeof entry === "string" ? [{ path: file, data: Buffer.from(entry) }] : []));
  seeds.push(seedOf("generated", generated));
  mkdirSync(path.join(scratch, "served"));
  server = await serveDirectory(path.join(scratch, "served"));
});
afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

function compress(tar: Buffer, kind: Exclude<Kind, "zip">): Buffer {
  if (kind === "tar") return tar;
  if (kind === "tar.gz") return gzipSync(tar);
  return execFileSync(kind === "tbz" ? "bzip2" : "xz", ["-c"], { input: tar, maxBuffer: 1 << 28 });
}

/** A mutated archive: 1 to 3 mutations of the tar (then compressed), or of the compressed bytes. */
function mutatedArchive(r: Rng): { kind: Kind; data: Buffer } {
  const seed = r.pick(seeds);
  const kind = r.pick(KINDS);
  const times = 1 + r.int(3);
  if (kind === "zip") {
    let zip = seed.zip;
    for (let i = 0; i < times; i++) zip = mutateBytes(r, zip);
    return { kind, data: zip };
  }
  if (kind !== "tar" && r.int(4) === 0) return { kind, data: mutateBytes(r, compress(seed.tar, kind)) };
  let tar = seed.tar;
  for (let i = 0; i < times; i++) tar = mutateTar(r, tar, seed.names, escape);
  return { kind, data: compress(tar, kind) };
}

/** Paths written under `box` other than the destination `a/b/out` and its parents. */
function outside(box: string): string[] {
  return listTree(box).filter((entry) => entry !== "a" && entry !== path.join("a", "b") && !entry.startsWith(path.join("a", "b", "out")));
}

async function extractCase(index: number): Promise<string | undefined> {
  const r = rng(FUZZ_SEED + index);
  const { kind, data } = mutatedArchive(r);
  const dir = path.join(scratch, `case-${index}`);
  mkdirSync(dir);
  const archive = path.join(dir, `archive.${kind}`);
  writeFileSync(archive, data);
  const box = path.join(dir, "box");
  try {
    await withTimeout(extractArchive(archive, path.join(box, "a", "b", "out"), `https://example.org/archive.${kind}`, { maxBytes: 32 << 20 }), 30_000, "extraction");
  } catch (error) {
    if (!isUserError(error)) return `${replay("archives", index)} ${kind}: not a UserError: ${(error as Error)?.stack ?? String(error)}`;
    if (error.message.trim() === "") return `${replay("archives", index)} ${kind}: an empty message`;
  }
  const escaped = [...outside(box), ...listTree(escape)];
  rmSync(dir, { recursive: true, force: true });
  return escaped.length > 0 ? `${replay("archives", index)} ${kind}: wrote outside: ${escaped.join(", ")}` : undefined;
}

test(`${INTERNAL_CASES} mutated archives: success or a UserError, nothing written outside, no hang (seed ${FUZZ_SEED})`, async () => {
  const failures: string[] = [];
  for (let index = 0; index < INTERNAL_CASES; index++) {
    const failure = await extractCase(index);
    if (failure) failures.push(failure);
  }
  expect(failures).toEqual([]);
}, 180_000);

test(`${CLI_CASES} mutated archives through \`pull\`: exit 0 or one [ERROR] with exit 1, nothing outside the project (seed ${FUZZ_SEED})`, async () => {
  const failures: string[] = [];
  for (let index = 0; index < CLI_CASES; index++) {
    const r = rng(FUZZ_SEED + 100_000 + index);
    const { kind, data } = mutatedArchive(r);
    const file = path.join(scratch, "served", `m${index}.${kind}`);
    writeFileSync(file, data);
    const repo = { dir: "fuzzed", url: `${server.url}/m${index}.${kind}`, hashes: hashesOf(file), provides: [{ name: "fuzzed", version: "1.0" }] };
    const sentinel = path.join(scratch, `cli-${index}`);
    const root = writePullProject(path.join(sentinel, "root"), [repo]);
    const result = await runCliTimed(["pull"], { cwd: root, home: path.join(scratch, `home-${index}`) }, 60_000);
    const wrong = result.hung ? "a hang" : badOutcome(result.code, result.stderr);
    const escaped = [...listTree(sentinel).filter((entry) => entry !== "root" && !/^root\/(dune-project|p\.opam\.locked|duniverse)(\/|$)/.test(entry)), ...listTree(escape)];
    if (wrong) failures.push(`${replay("archives-cli", index)} ${kind}: ${wrong}\n${result.stderr}`);
    if (escaped.length > 0) failures.push(`${replay("archives-cli", index)} ${kind}: wrote outside: ${escaped.join(", ")}`);
    rmSync(sentinel, { recursive: true, force: true });
  }
  expect(failures).toEqual([]);
}, 240_000);
