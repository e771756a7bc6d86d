// Hostile archives through the real CLI (issue 13, items 2 and 7): the hard-link-to-symlink
// attack in GNU tar's ustar, gnu and pax formats, served on 127.0.0.1, through `pull` (fresh, and
// over an existing duniverse/) and through `lock` (a pin-depends tarball): one [ERROR] naming the
// URL and the entry, exit 1, nothing written anywhere outside (a sentinel directory around the
// project). A small archive inflating past --max-extracted-size (or the environment's cap).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { hardLinkToSymlinkTar, type TarFormat } from "../helpers/archives.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { serveDirectory, type StaticServer } from "../helpers/http.js";
import { writePullProject } from "../helpers/pull-project.js";
import { buildArchives, hashesOf } from "../helpers/pull-world.js";
import { localOpam, REPOS_FIELD, world } from "./lock-world.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "archive-attacks-"));
const served = path.join(scratch, "served");
let server: StaticServer;
let counter = 0;
const fresh = (name: string) => path.join(scratch, `${name}-${counter++}`);

beforeAll(async () => {
  mkdirSync(served, { recursive: true });
  server = await serveDirectory(served);
});
afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Every path below `dir` whose name is `name`. */
function findNamed(dir: string, name: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return [...(entry.name === name ? [full] : []), ...(entry.isDirectory() ? findNamed(full, name) : [])];
  });
}

function expectRefused(result: CliResult, url: string): void {
  expect(result.stderr).not.toMatch(/unexpected error|internal error|    at /);
  expect(result.stderr).toMatch(/\[ERROR\]/);
  expect(result.stderr).toContain(url);
  expect(result.stderr).toContain('refusing entry "pkg/h"');
  expect(result.stderr).toMatch(/which is a symlink/);
  expect(result.code).toBe(1);
}

const CASES: { format: TarFormat; compression: "tar.gz" | "tbz" | "txz" }[] = [
  { format: "ustar", compression: "tar.gz" },
  { format: "gnu", compression: "tbz" },
  { format: "pax", compression: "txz" },
];

describe("pull: a hard link to a symlink writes nothing outside duniverse/", () => {
  for (const { format, compression } of CASES) {
    for (const over of [false, true]) {
      test(`${format} (${compression}), ${over ? "over an existing duniverse/" : "fresh"}`, async () => {
        const marker = `escaped-pull-${format}-${over}`;
        const file = `attack-${format}-${over}.${compression}`;
        hardLinkToSymlinkTar(path.join(served, file), format, compression, marker);
        const attack = { dir: "attack", url: `${server.url}/${file}`, hashes: hashesOf(path.join(served, file)), provides: [{ name: "attack", version: "1.0" }] };
        const [good] = buildArchives(served, server.url, [{ dir: `good-${counter}`, format: "tar.gz" }]);
        // The link points 4 levels above the extraction's work directory: still inside `sentinel`.
        const sentinel = fresh("sentinel");
        const root = path.join(sentinel, "a", "root");
        const home = fresh("home");
        if (over) {
          writePullProject(root, [good!]);
          expect((await runCli(["pull"], { cwd: root, home })).code).toBe(0);
        }
        const before = over ? readdirSync(path.join(root, "duniverse")) : undefined;
        writePullProject(root, [good!, attack]);
        const result = await runCli(["pull"], { cwd: root, home });
        expectRefused(result, attack.url);
        expect(findNamed(sentinel, marker)).toEqual([]);
        expect(readdirSync(sentinel)).toEqual(["a"]);
        if (over) expect(readdirSync(path.join(root, "duniverse"))).toEqual(before);
        else expect(readdirSync(root).sort()).toEqual(["dune-project", "p.opam.locked"]);
      });
    }
  }
});

describe("lock: a pin-depends tarball with a hard link to a symlink writes nothing outside", () => {
  for (const { format, compression } of CASES) {
    test(`${format} (${compression})`, async () => {
      const marker = `escaped-lock-${format}`;
      const file = `pinned-${format}.${compression}`;
      hardLinkToSymlinkTar(path.join(served, file), format, compression, marker);
      const url = `${server.url}/${file}`;
      const w = await world({ "app.opam": localOpam(['"dune"', '"pinned"'], [REPOS_FIELD("minimal-repo"), `pin-depends: [ ["pinned.1.0" "${url}"] ]`]) });
      // lock extracts pins below $TMPDIR: 4 levels above its work directory is still `sentinel`.
      const sentinel = fresh("sentinel");
      const tmp = path.join(sentinel, "t1", "t2");
      mkdirSync(tmp, { recursive: true });
      const result = await w.lock([], { TMPDIR: tmp, HOME: fresh("home") });
      expectRefused(result, url);
      expect(findNamed(sentinel, marker)).toEqual([]);
      expect(findNamed(w.dir, marker)).toEqual([]);
      expect(w.exists("app.opam.locked")).toBe(false);
    });
  }
});

describe("pull: the extracted-size cap", () => {
  /** A 10 KB .tar.gz whose one entry inflates to 8 MiB, in a project of its own. */
  function bombProject(): { root: string; url: string } {
    const src = fresh("bomb-src");
    mkdirSync(path.join(src, "bomb-1.0"), { recursive: true });
    writeFileSync(path.join(src, "bomb-1.0", "zeros"), Buffer.alloc(8 << 20));
    const file = `bomb-${counter}.tar.gz`;
    execFileSync("tar", ["-czf", path.join(served, file), "-C", src, "bomb-1.0"]);
    const url = `${server.url}/${file}`;
    const root = writePullProject(fresh("bomb-root"), [{ dir: "bomb", url, hashes: hashesOf(path.join(served, file)), provides: [{ name: "bomb", version: "1.0" }] }]);
    return { root, url };
  }

  test("--max-extracted-size 1M: ARCHIVE_TOO_LARGE naming the URL and the limit, with the way to raise it; duniverse/ not created", async () => {
    const { root, url } = bombProject();
    const result = await runCli(["pull", "--max-extracted-size", "1M"], { cwd: root, home: fresh("home") });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/unexpected error|    at /);
    expect(result.stderr).toContain(`${url}: the archive extracts to more than 1M, the limit per archive`);
    expect(result.stderr).toMatch(/--max-extracted-size <size>/);
    expect(readdirSync(root).sort()).toEqual(["dune-project", "p.opam.locked"]);
  });

  test("OPAM_MONOREPO_MAX_EXTRACTED_SIZE sets the cap; the option wins over it; a malformed value is a clear error", async () => {
    const { root, url } = bombProject();
    const home = fresh("home");
    const capped = await runCli(["pull"], { cwd: root, home, env: { OPAM_MONOREPO_MAX_EXTRACTED_SIZE: "2M" } });
    expect(capped.code).toBe(1);
    expect(capped.stderr).toContain(`${url}: the archive extracts to more than 2M`);
    const raised = await runCli(["pull", "--max-extracted-size", "16M"], { cwd: root, home, env: { OPAM_MONOREPO_MAX_EXTRACTED_SIZE: "2M" } });
    expect(raised.stderr).not.toMatch(/\[ERROR\]/);
    expect(raised.code).toBe(0);
    expect(readdirSync(path.join(root, "duniverse", "bomb"))).toEqual(["zeros"]);
    const bad = await runCli(["pull", "--max-extracted-size=-5"], { cwd: root, home });
    expect(bad.code).toBe(124);
    expect(bad.stderr).toContain('option --max-extracted-size: expected a size such as 4G, 512M or a number of bytes, got "-5"');
    const badEnv = await runCli(["pull"], { cwd: root, home, env: { OPAM_MONOREPO_MAX_EXTRACTED_SIZE: "lots" } });
    expect(badEnv.code).toBe(1);
    expect(badEnv.stderr).toContain('OPAM_MONOREPO_MAX_EXTRACTED_SIZE: expected a size such as 4G, 512M or a number of bytes, got "lots"');
  });
});
