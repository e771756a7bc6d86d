// Git sources through the real CLI and the git store beside the download cache: a second project
// pays no clone (the origin is deleted after the first pull), --offline checks out from the store,
// a new commit fetches only what is missing, submodules still work, hostile refs are refused.
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import type { DuniverseRepo } from "../../src/duniverse/plan.js";
import { GIT_STORE_DIR } from "../../src/fetch/git-store.js";
import { runCli } from "../helpers/cli.js";
import { commitFiles, makeGitRepo } from "../helpers/git.js";
import { writePullProject } from "../helpers/pull-project.js";
import { freshPaths } from "../helpers/testdir.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "pull-git-store-"));
const fresh = freshPaths(scratch);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const gitRepo = (dir: string, url: string, commit: string): DuniverseRepo => ({ dir, url: `git+${url}#${commit}`, hashes: [], provides: [{ name: dir, version: "dev" }] });

async function pull(root: string, cache: string, ...args: string[]) {
  const result = await runCli(["pull", "-v", "--cache-dir", cache, ...args], { cwd: root, home: scratch });
  expect(result.stderr).not.toMatch(/unexpected error|internal error/);
  return result;
}

test("a second project pulls from the git store with the origin gone, also --offline", async () => {
  const origin = makeGitRepo(fresh("origin"), { "dune-project": "(lang dune 3.0)\n", "src/lib.ml": "let v = 1\n" });
  const cache = fresh("cache");
  const repos = [gitRepo("lib", origin.url, origin.commit)];
  const first = await pull(writePullProject(fresh("root"), repos), cache);
  expect(first.code, first.stderr).toBe(0);
  expect(first.stderr).toContain("1 fetched with git, 0 from the git store");
  expect(readdirSync(path.join(cache, GIT_STORE_DIR)).filter((name) => name.endsWith(".git"))).toHaveLength(1);
  renameSync(origin.dir, `${origin.dir}-gone`);
  for (const args of [[], ["--offline"]]) {
    const root = writePullProject(fresh("root"), repos);
    const again = await pull(root, cache, ...args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("0 fetched with git, 1 from the git store");
    expect(readFileSync(path.join(root, "duniverse/lib/src/lib.ml"), "utf8")).toBe("let v = 1\n");
    expect(existsSync(path.join(root, "duniverse/lib/.git"))).toBe(false);
  }
  // --keep-git-dir gets a repository at the commit, from the store too.
  const kept = writePullProject(fresh("root"), repos);
  expect((await pull(kept, cache, "--keep-git-dir")).code).toBe(0);
  expect(existsSync(path.join(kept, "duniverse/lib/.git"))).toBe(true);
  renameSync(`${origin.dir}-gone`, origin.dir);
});

test("a new commit fetches only that commit; offline without it names the source", async () => {
  const origin = makeGitRepo(fresh("origin"), { "dune-project": "(lang dune 3.0)\n", "a.ml": "let a = 1\n" });
  const cache = fresh("cache");
  const root = writePullProject(fresh("root"), [gitRepo("a", origin.url, origin.commit)]);
  expect((await pull(root, cache)).code).toBe(0);
  const next = commitFiles(origin, { "a.ml": "let a = 2\n" });
  writePullProject(root, [gitRepo("a", origin.url, next)]);
  const offline = await pull(root, cache, "--offline");
  expect(offline.code).toBe(1);
  expect(offline.stderr).toContain(`duniverse/a: git+${origin.url}#${next}`);
  expect(readFileSync(path.join(root, "duniverse/a/a.ml"), "utf8")).toBe("let a = 1\n");
  const online = await pull(root, cache);
  expect(online.code, online.stderr).toBe(0);
  expect(online.stderr).toContain("1 fetched with git");
  expect(readFileSync(path.join(root, "duniverse/a/a.ml"), "utf8")).toBe("let a = 2\n");
  // Incremental: the next pull keeps it, without git.
  const again = await pull(root, cache, "--offline");
  expect(again.stdout).toContain("1 unchanged since the last pull");
});

test("submodules are checked out; the superproject comes from the store", async () => {
  const sub = makeGitRepo(fresh("sub"), { "sub.ml": "let sub = ()\n" });
  const main = makeGitRepo(fresh("main"), { "dune-project": "(lang dune 3.0)\n" }, { submodules: { vendor: sub } });
  const cache = fresh("cache");
  const repos = [gitRepo("main", main.url, main.commit)];
  expect((await pull(writePullProject(fresh("root"), repos), cache)).code).toBe(0);
  rmSync(main.dir, { recursive: true });
  const root = writePullProject(fresh("root"), repos);
  const again = await pull(root, cache);
  expect(again.code, again.stderr).toBe(0);
  expect(readFileSync(path.join(root, "duniverse/main/vendor/sub.ml"), "utf8")).toBe("let sub = ()\n");
});

test("a ref that git could read as an option is refused before git runs", async () => {
  const origin = makeGitRepo(fresh("origin"), { "a.ml": "()\n" });
  const root = writePullProject(fresh("root"), [{ ...gitRepo("a", origin.url, origin.commit), url: `git+${origin.url}#--upload-pack=touch${path.join(scratch, "pwned")}` }]);
  const result = await pull(root, fresh("cache"));
  expect(result.code).toBe(1);
  expect(result.stderr).toContain("is not a valid ref name: it starts with '-'");
  expect(existsSync(path.join(scratch, "pwned"))).toBe(false);
});

test("--download-only fills the git store; --offline then needs no origin", async () => {
  const origin = makeGitRepo(fresh("origin"), { "dune-project": "(lang dune 3.0)\n", "b.ml": "let b = 1\n" });
  const cache = fresh("cache");
  const repos = [gitRepo("b", origin.url, origin.commit)];
  const download = await pull(writePullProject(fresh("root"), repos), cache, "--download-only");
  expect(download.code, download.stderr).toBe(0);
  expect(download.stdout).toContain("1 git commits in its git store");
  rmSync(origin.dir, { recursive: true });
  const root = writePullProject(fresh("root"), repos);
  const offline = await pull(root, cache, "--offline");
  expect(offline.code, offline.stderr).toBe(0);
  expect(readFileSync(path.join(root, "duniverse/b/b.ml"), "utf8")).toBe("let b = 1\n");
});
