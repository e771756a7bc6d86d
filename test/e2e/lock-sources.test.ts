// `lock` end to end, where metadata comes from (§7.1 explicit-repo, pinning; §4.2): a git
// repository (its commit recorded, a new commit picked up), switch mode over a fake opam root
// (switch repositories, OPAMSWITCH, OPAMVAR_monorepo, switch pins), and pin-depends of a local
// package to a loopback tarball and to a local git repository.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archiveOf } from "../helpers/archives.js";
import { commitFiles, git, makeGitRepo } from "../helpers/git.js";
import { serveDirectory, type StaticServer } from "../helpers/http.js";
import { writeOpamRoot } from "../helpers/opam-root.js";
import { opamText } from "../helpers/opam-repo.js";
import { testdir } from "../helpers/testdir.js";
import { dependLines, dunePkg, expectOk, flat, localOpam, lockField, opamRepo, REPOS_FIELD, world, writeMinimalRepo } from "./lock-world.js";

describe("lock: explicit-repo", () => {
  it("reads a git+file repository, records its commit, and picks up a new commit on the next lock", async () => {
    const w = await world({
      "explicit-repo.opam": localOpam(['"dune"', '"git-dep"'], [
        'x-opam-monorepo-opam-repositories: ["file://$OPAM_MONOREPO_CWD/minimal-repo" "git+file://$OPAM_MONOREPO_CWD/git-repository"]',
      ]),
    });
    const repo = makeGitRepo(path.join(w.dir, "git-repository"), {
      repo: 'opam-version: "2.0"\n',
      "packages/git-dep/git-dep.1.0/opam": 'opam-version: "2.0"\ndepends: [\n  "dune"\n]\n',
    });
    expectOk(await w.lock(["explicit-repo"]));
    let text = await w.read("explicit-repo.opam.locked");
    expect(dependLines(text, ["git-dep"])).toEqual(['"git-dep" {= "1.0"}']);
    expect(lockField(text, "x-opam-monorepo-opam-repositories")).toBe(
      // opam's URL order: transport (file for both), then path.
      `[\n  "git+file://$OPAM_MONOREPO_CWD/git-repository#${repo.commit}"\n  "file://$OPAM_MONOREPO_CWD/minimal-repo"\n]`,
    );

    const first = repo.commit;
    commitFiles(repo, { "packages/git-dep/git-dep.2.0/opam": 'opam-version: "2.0"\ndepends: [\n  "dune"\n]\n' }, "New release");
    expect(repo.commit).not.toBe(first);
    expectOk(await w.lock(["explicit-repo"]));
    text = await w.read("explicit-repo.opam.locked");
    expect(dependLines(text, ["git-dep"])).toEqual(['"git-dep" {= "2.0"}']);
    expect(lockField(text, "x-opam-monorepo-opam-repositories")).toContain(`git-repository#${repo.commit}"`);
  });

  it("a #branch in the repository URL is followed, and recorded as the commit", async () => {
    const w = await world({ "x.opam": localOpam(['"dune"', '"git-dep"']) });
    const repo = makeGitRepo(path.join(w.dir, "gr"), { repo: 'opam-version: "2.0"\n', "packages/git-dep/git-dep.1.0/opam": opamText("git-dep", "1.0", { depends: ['"dune"'] }) });
    const branchCommit = repo.commit;
    git(repo.dir, "checkout", "-q", "-b", "stable");
    git(repo.dir, "checkout", "-q", "main");
    commitFiles(repo, { "packages/git-dep/git-dep.3.0/opam": opamText("git-dep", "3.0", { depends: ['"dune"'] }) });
    const result = expectOk(await w.lock(["--opam-repositories", "[file://$OPAM_MONOREPO_CWD/minimal-repo,git+file://$OPAM_MONOREPO_CWD/gr#stable]"]));
    expect(result.code).toBe(0);
    const text = await w.read("x.opam.locked");
    expect(dependLines(text, ["git-dep"])).toEqual(['"git-dep" {= "1.0"}']);
    expect(lockField(text, "x-opam-monorepo-opam-repositories")).toContain(`gr#${branchCommit}"`);
  });
});

/** An opam root with repository `default` (minimal repo + `m`, `plain`) and two switches. */
async function fakeRoot(rootDir: string, pins: Record<string, { version: string; opam?: string }> = {}) {
  const minimal = await writeMinimalRepo(path.join(rootDir, "..", "minimal-contents"));
  const base = opamRepo();
  for (const name of await readdir(path.join(minimal, "packages"))) {
    for (const versionDir of await readdir(path.join(minimal, "packages", name))) {
      base.file(`packages/${name}/${versionDir}/opam`, await readFile(path.join(minimal, "packages", name, versionDir, "opam"), "utf8"));
    }
  }
  base.pkg("m", "1", dunePkg("m")).pkg("plain", "1", dunePkg("plain", { hash: "5" }));
  const newer = opamRepo().pkg("plain", "2", dunePkg("plain", { hash: "6" }));
  return writeOpamRoot(rootDir, {
    repositories: { default: { url: "https://opam.ocaml.org", contents: base, storage: "tar" }, newer: { url: "git+https://example.org/newer", contents: newer } },
    selection: ["default"],
    switches: {
      old: { compiler: ["ocaml-base-compiler.4.13.1"], pins },
      fresh: { repositories: ["newer", "default"], compiler: ["ocaml-base-compiler.4.13.1"], pins },
    },
    current: "old",
  });
}

describe("lock: switch mode (no repositories configured)", () => {
  it("solves against the current switch's repositories; OPAMSWITCH picks another switch", async () => {
    const w = await world({ "app.opam": localOpam(['"dune"', '"plain"']) });
    const root = await fakeRoot(path.join(w.dir, ".opam"));
    const first = expectOk(await w.lock([], { OPAMROOT: root }));
    expect(first.stdout).toMatch(/Wrote lockfile with 1 entries/);
    let text = await w.read("app.opam.locked");
    expect(dependLines(text, ["ocaml", "plain"])).toEqual(['"ocaml" {= "4.13.1"}', '"plain" {= "1" & ?vendor}']);
    expect(lockField(text, "x-opam-monorepo-opam-repositories")).toBeUndefined();

    expectOk(await w.lock([], { OPAMROOT: root, OPAMSWITCH: "fresh" }));
    text = await w.read("app.opam.locked");
    expect(dependLines(text, ["plain"])).toEqual(['"plain" {= "2" & ?vendor}']);
  });

  it("counts {?monorepo} dependencies only when OPAMVAR_monorepo is set (as mirage runs it)", async () => {
    const w = await world({ "unikernel.opam": localOpam(['"dune"', '"m" {?monorepo}', '"plain" {build}']) });
    const root = await fakeRoot(path.join(w.dir, ".opam"));
    expectOk(await w.lock([], { OPAMROOT: root }));
    expect(dependLines(await w.read("unikernel.opam.locked"), ["m", "plain"])).toEqual(['"plain" {= "1" & ?vendor}']);
    expectOk(await w.lock([], { OPAMROOT: root, OPAMVAR_monorepo: "opam-monorepo" }));
    expect(dependLines(await w.read("unikernel.opam.locked"), ["m", "plain"])).toEqual(['"m" {= "1" & ?vendor}', '"plain" {= "1" & ?vendor}']);
  });

  it("a switch pin without an overlay opam file takes the repositories' file of the pinned version", async () => {
    const w = await world({ "app.opam": localOpam(['"dune"', '"plain"']) });
    // Switch `fresh` sees plain.2 from `newer`; the pin holds it at 1, which only `default` has.
    const root = await fakeRoot(path.join(w.dir, ".opam"), { plain: { version: "1" } });
    expectOk(await w.lock([], { OPAMROOT: root, OPAMSWITCH: "fresh" }));
    expect(dependLines(await w.read("app.opam.locked"), ["plain"])).toEqual(['"plain" {= "1" & ?vendor}']);
  });

  it("a switch pin to a version no repository has is ignored with a warning", async () => {
    const w = await world({ "app.opam": localOpam(['"dune"', '"plain"']) });
    const root = await fakeRoot(path.join(w.dir, ".opam"), { plain: { version: "9" } });
    const result = expectOk(await w.lock([], { OPAMROOT: root, OPAMSWITCH: "fresh" }));
    expect(result.stderr).toMatch(/the switch pins plain\.9, but neither the switch overlay nor any repository has its opam file/);
    expect(dependLines(await w.read("app.opam.locked"), ["plain"])).toEqual(['"plain" {= "2" & ?vendor}']);
  });

  it("explicit repositories ignore the switch entirely", async () => {
    const w = await world({ "app.opam": localOpam(['"dune"'], [REPOS_FIELD("minimal-repo")]) });
    expectOk(await w.lock([], { OPAMROOT: path.join(w.dir, "no-such-root") }));
    expect(lockField(await w.read("app.opam.locked"), "x-opam-monorepo-opam-repositories")).toBe('["file://$OPAM_MONOREPO_CWD/minimal-repo"]');
  });
});

describe("lock: pinning", () => {
  it("uses a switch pin to a git repository at HEAD, resolved to its commit", async () => {
    const w = await world({ "this/this.opam": localOpam(['"dune"', '"opam-monorepo-test-other"']) });
    const other = makeGitRepo(path.join(w.dir, "opam-monorepo-test-other"), {
      "opam-monorepo-test-other.opam": localOpam(['"dune"'], ['build: ["dune" "build"]']),
    });
    const overlay = opamText("opam-monorepo-test-other", "dev", {
      depends: ['"dune"'],
      devRepo: `git+${other.url}`,
      url: `git+${other.url}#HEAD`,
      extra: 'build: ["dune" "build"]',
    });
    const root = await fakeRoot(path.join(w.dir, ".opam"), { "opam-monorepo-test-other": { version: "dev", opam: overlay } });
    const result = await w.lock(["-r", path.join(w.dir, "this")], { OPAMROOT: root });
    expectOk(result);
    const text = await w.read("this/this.opam.locked");
    expect(dependLines(text, ["opam-monorepo-test-other"])).toEqual(['"opam-monorepo-test-other" {= "dev" & ?vendor}']);
    expect(flat(lockField(text, "pin-depends"))).toBe(`["opam-monorepo-test-other.dev" "git+${other.url}#${other.commit}"]`);
    expect(flat(lockField(text, "x-opam-monorepo-duniverse-dirs"))).toBe(`[["git+${other.url}#${other.commit}" "opam-monorepo-test-other"]]`);
  });

  describe("pin-depends of a local package", () => {
    let server: StaticServer;
    let served: string;
    beforeAll(async () => {
      served = await testdir({}, "om-served-");
      archiveOf({ "pinned.opam": opamText("pinned", "1.0", { depends: ['"ocaml"'], extra: 'build: ["make"]\ndev-repo: "git+https://example.org/pinned.git"' }) }, path.join(served, "pinned-1.0.tar.gz"), "tar.gz", "pinned-1.0");
      server = await serveDirectory(served);
    });
    afterAll(async () => server?.close());

    it("fetches a loopback tarball and a local git repository, fixes their versions, and vendors them from the pin URLs", async () => {
      const w = await world({});
      // Outside the project: a gitpin.opam inside it would make gitpin a local package.
      const gitPin = makeGitRepo(path.join(served, "gitpin"), {
        "opam/gitpin.opam": opamText("gitpin", "dev", { depends: ['"dune"', '"pinned"'], devRepo: "git+https://example.org/gitpin.git", extra: 'build: ["dune" "build"]' }),
      });
      const tarball = `${server.url}/pinned-1.0.tar.gz`;
      await w.write(
        "app.opam",
        localOpam(['"dune"', '"gitpin"'], [REPOS_FIELD("minimal-repo"), `pin-depends: [\n  ["pinned.1.0" "${tarball}"]\n  ["gitpin.dev" "git+${gitPin.url}#main"]\n]`]),
      );
      expectOk(await w.lock());
      expect(server.requestsFor("/pinned-1.0.tar.gz")).toBeGreaterThan(0);
      const text = await w.read("app.opam.locked");
      // pinned.1.0 builds with make: pinned packages are exempt from the dune check.
      expect(dependLines(text, ["gitpin", "pinned"])).toEqual(['"gitpin" {= "dev" & ?vendor}', '"pinned" {= "1.0" & ?vendor}']);
      expect(flat(lockField(text, "pin-depends"))).toBe(`[["gitpin.dev" "git+${gitPin.url}#${gitPin.commit}"] ["pinned.1.0" "${tarball}"]]`);
    });
  });
});

describe("lock: missing-dune-project", () => {
  it("two root packages and no dune-project: says how to name the lock file, exit 1, nothing written", async () => {
    const w = await world({ "a.opam": localOpam(['"dune"'], [REPOS_FIELD("minimal-repo")]), "b.opam": localOpam(['"dune"'], [REPOS_FIELD("minimal-repo")]) });
    const result = await w.lock();
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `opam-monorepo: [ERROR] Could not infer the target lockfile name: Missing dune-project file at the root: ${w.dir}/dune-project\n` +
        "Try setting it explicitly using --lockfile or add a project name in a root dune-project file.\n" +
        `Hint: \`opam-monorepo lock -l ${path.basename(w.dir)}.opam.locked\`, or add \`(name ${path.basename(w.dir)})\` to dune-project\n`,
    );
    await w.write("dune-project", "(lang dune 3.0)\n(name both)\n");
    const named = expectOk(await w.lock());
    expect(named.stdout).toContain(`Wrote lockfile with 0 entries to ${w.dir}/both.opam.locked.`);
  });
});
