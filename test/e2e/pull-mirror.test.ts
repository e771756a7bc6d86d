// `mirror DIR` writes the locked archives in opam's cache layout; a static server over that
// directory then serves a whole pull (the original URLs are never contacted).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { pullDuniverse } from "../../src/duniverse/pull.js";
import type { DuniverseRepo } from "../../src/duniverse/plan.js";
import { MemoryReporter, silentReporter } from "../../src/core/reporter.js";
import { DownloadCache } from "../../src/fetch/cache.js";
import { writeMirror } from "../../src/fetch/mirror.js";
import { serveDirectory } from "../helpers/http.js";
import { servedMixed } from "../helpers/pull-served.js";

const world = servedMixed("pull-mirror-");
const { scratch } = world;

const fetchOptions = (cacheDir: string) => ({
  cache: new DownloadCache(cacheDir), mirrors: [], offline: false, noChecksums: false, requireChecksums: false, jobs: 4, retries: 1, reporter: silentReporter,
});

test("writeMirror lays out every archive under each of its hashes and skips git sources", async () => {
  const mirrorDir = path.join(scratch, "mirror");
  const gitRepo: DuniverseRepo = { dir: "from-git", url: "git+https://example.invalid/r.git#" + "a".repeat(40), hashes: [], provides: [] };
  const summary = await writeMirror(mirrorDir, [...world.repos, gitRepo], fetchOptions(path.join(scratch, "cache-1")));
  expect(summary).toMatchObject({ written: world.repos.length, skipped: [{ dir: "from-git", reason: "git source" }] });
  for (const repo of world.repos) {
    for (const hash of repo.hashes) {
      const [algo, hex] = hash.split("=");
      const file = path.join(mirrorDir, algo, hex.slice(0, 2), hex);
      expect(createHash(algo).update(readFileSync(file)).digest("hex")).toBe(hex);
    }
  }
  const mirror = await serveDirectory(mirrorDir);
  try {
    const before = world.server.requests;
    const unreachable = world.repos.map((repo) => ({ ...repo, url: repo.url.replace(world.server.url, "https://example.invalid") }));
    const reporter = new MemoryReporter();
    const pulled = await pullDuniverse({
      ...fetchOptions(path.join(scratch, "cache-2")), reporter, root: path.join(scratch, "root"), repos: unreachable,
      keepGitDir: false, keepSymlinkedDir: false, mirrors: [mirror.url], offline: true,
    });
    expect(pulled).toMatchObject({ pulled: world.repos.length, fromMirror: world.repos.length });
    expect(world.server.requests).toBe(before);
    expect(mirror.requests).toBe(world.repos.length);
  } finally {
    await mirror.close();
  }
});

test("writing the same mirror again from the same cache leaves nothing but the archives", async () => {
  const mirrorDir = path.join(scratch, "mirror-again");
  const options = fetchOptions(path.join(scratch, "cache-again"));
  const first = await writeMirror(mirrorDir, world.repos, options);
  const listing = () => readdirSync(mirrorDir, { recursive: true, encoding: "utf8" }).sort();
  const after = listing();
  // The mirror's entries are hard links to the cache's files: the second run renames a new link
  // of each file over a link of the same file, which rename(2) skips, leaving the new link.
  const again = await writeMirror(mirrorDir, world.repos, options);
  expect(again.written).toBe(first.written);
  expect(listing()).toEqual(after);
  expect(after.filter((name) => path.basename(name).startsWith("."))).toEqual([]);
});
