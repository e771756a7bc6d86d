// `lock` end to end, the cram scenarios about what the solver picks (§7.1): compiler-beta,
// invalid-package-version, local-solver-picks-higher-version, minimal-update, no-build-command,
// opam-provided, require-cross-compile, error-on-directory-conflict.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../helpers/cli.js";
import { dependLines, dunePkg, expectOk, localOpam, lockField, opamRepo, progressLines, REPOS_FIELD, world } from "./lock-world.js";

const BASE = path.join(projectRoot, "fixtures", "repos", "base", "packages");
const baseOpam = (name: string, version: string) => readFile(path.join(BASE, name, `${name}.${version}`, "opam"), "utf8");

/** ocaml.4.14.0 and ocaml-base-compiler.4.14.0~beta1 (avoid-version), from the 4.14.2 files. */
async function betaRepo() {
  const ocaml = (await baseOpam("ocaml", "4.14.2")).replaceAll("4.14.2", "4.14.0").replaceAll("4.14.3", "4.14.1");
  const compiler = (await baseOpam("ocaml-base-compiler", "4.14.2"))
    .replaceAll("4.14.2", "4.14.0")
    .replace("flags: compiler", "flags: [compiler avoid-version]");
  expect(compiler).toMatch(/flags: \[compiler avoid-version\]/);
  return opamRepo().pkg("ocaml", "4.14.0", { raw: ocaml }).pkg("ocaml-base-compiler", "4.14.0~beta1", { raw: compiler });
}

const COMPILER = ["ocaml", "ocaml-base-compiler", "ocaml-config", "ocaml-options-vanilla"];

describe("lock: compiler-beta", () => {
  it("avoids the avoid-version beta unless nothing else satisfies the constraint", async () => {
    const repos = REPOS_FIELD("minimal-repo", "repo-with-beta-ocaml");
    const w = await world(
      {
        "dont-want-beta.opam": localOpam(['"ocaml"', '"dune"'], [repos]),
        "requires-beta.opam": localOpam(['"ocaml" {>= "4.14"}', '"dune"'], [repos]),
      },
      { "repo-with-beta-ocaml": await betaRepo() },
    );
    expectOk(await w.lock(["dont-want-beta"]));
    expect(dependLines(await w.read("dont-want-beta.opam.locked"), COMPILER)).toEqual([
      '"ocaml" {= "4.13.1"}',
      '"ocaml-base-compiler" {= "4.13.1"}',
      '"ocaml-config" {= "2"}',
      '"ocaml-options-vanilla" {= "1"}',
    ]);
    const beta = await w.lock(["requires-beta"]);
    expect(beta.stderr).toBe("");
    expect(dependLines(await w.read("requires-beta.opam.locked"), COMPILER)).toEqual([
      '"ocaml" {= "4.14.0"}',
      '"ocaml-base-compiler" {= "4.14.0~beta1"}',
      '"ocaml-config" {= "2"}',
      '"ocaml-options-vanilla" {= "1"}',
    ]);
  });
});

describe("lock: invalid-package-version", () => {
  const a = (version: string, dune: boolean) =>
    dunePkg("a", {
      depends: [dune ? '"dune"' : '"ocaml"'],
      devRepo: "git+https://a.com/a.git",
      url: `https://a.com/a.${version}.tbz`,
      extra: dune ? 'build: ["dune" "build"]' : 'build: ["make"]',
    });
  const repo = () =>
    opamRepo()
      .pkg("a", "0.1", a("0.1", true))
      .pkg("a", "1.0", a("1.0", false))
      .pkg("a", "1.1", a("1.1", false))
      .pkg("depends-on-min-a", "1", dunePkg("depends-on-min-a", { depends: ['"dune"', '"a" {>= "1.0"}'] }));
  const repos = REPOS_FIELD("minimal-repo", "repo");

  it("picks the only version that builds with dune", async () => {
    const w = await world({ "existing.opam": localOpam(['"dune"', '"a"'], [repos]) }, { repo: repo() });
    const result = await w.lock(["existing"]);
    expect(result.stdout).toBe(progressLines(9, 1, `${w.dir}/existing.opam.locked`));
    expect(dependLines(await w.read("existing.opam.locked"), ["a"])).toEqual(['"a" {= "0.1" & ?vendor}']);
  });

  it("fails with the no-eligible-version error when the only dune version is excluded, and writes nothing", async () => {
    const w = await world(
      {
        "toonew.opam": localOpam(['"dune"', '"a" {>= "1.0"}'], [repos]),
        "multiple-constraint.opam": localOpam(['"dune"', '"depends-on-min-a"', '"a" {< "2.0"}'], [repos]),
      },
      { repo: repo() },
    );
    for (const target of ["toonew", "multiple-constraint"]) {
      const result = await w.lock([target]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("==> Using 1 locally scanned package as the target.\n");
      const errors = result.stderr.split("\n").filter((line) => line.startsWith("opam-monorepo: [ERROR]"));
      expect(errors[0]).toMatch(/^opam-monorepo: \[ERROR\] There is no eligible version of a that matches (>= 1\.0|< 2\.0 & >= 1\.0)$/);
      // The cause first (issue 12): the local package, its dependency and why no version is usable.
      expect(errors[1]).toBe(`opam-monorepo: [ERROR] No solution for ${target}: a direct dependency has no usable version:`);
      expect(result.stderr).toMatch(target === "toonew" ? /\n- toonew needs a >= 1\.0: a\.1\.1 \(and 1 more\): Doesn't build with dune\n/ : /\n- multiple-constraint needs depends-on-min-a, which needs a >= 1\.0 \(depends-on-min-a\.1\): a\.1\.1 \(and 1 more\): Doesn't build with dune\n/);
      expect(result.stderr).not.toMatch(/system-mingw/);
      const verbose = await w.lock([target, "-v"]);
      expect(verbose.stderr).toMatch(/a\.1\.1: Doesn't build with dune/);
      expect(verbose.stderr).toMatch(/a\.0\.1: .*>= 1\.0/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(w.exists(`${target}.opam.locked`)).toBe(false);
    }
  });
});

describe("lock: local-solver-picks-higher-version", () => {
  it("sorts the explicit repositories' versions newest first", async () => {
    const repo = opamRepo().pkg("a", "0.1", dunePkg("a")).pkg("a", "0.2", dunePkg("a", { hash: "2" }));
    const w = await world({ "x.opam": localOpam(['"dune"', '"a"'], [REPOS_FIELD("minimal-repo", "repo")]) }, { repo });
    expectOk(await w.lock());
    expect(dependLines(await w.read("x.opam.locked"), ["a"])).toEqual(['"a" {= "0.2" & ?vendor}']);
  });
});

describe("lock: minimal-update", () => {
  it("keeps locked versions, adds new deps, moves only what a constraint forces, and drops removed deps", async () => {
    const repos = REPOS_FIELD("minimal-repo", "repo");
    const repo = opamRepo().pkg("a", "0.1", dunePkg("a")).pkg("b", "0.1", dunePkg("b")).pkg("c", "0.1", dunePkg("c"));
    const w = await world({ "minimal-update.opam": localOpam(['"dune"', '"a"', '"b"'], [repos]) }, { repo });
    const names = ["a", "b", "c"];
    const locked = async () => dependLines(await w.read("minimal-update.opam.locked"), names);
    expectOk(await w.lock());
    expect(await locked()).toEqual(['"a" {= "0.1" & ?vendor}', '"b" {= "0.1" & ?vendor}']);

    await w.write("minimal-update.opam", localOpam(['"dune"', '"a"', '"b"', '"c"'], [repos]));
    await opamRepo().pkg("a", "0.2", dunePkg("a", { hash: "2" })).pkg("b", "0.2", dunePkg("b", { hash: "2" })).writeTo(path.join(w.dir, "repo"));
    expectOk(await w.lock(["--minimal-update"]));
    expect(await locked()).toEqual(['"a" {= "0.1" & ?vendor}', '"b" {= "0.1" & ?vendor}', '"c" {= "0.1" & ?vendor}']);

    await w.write("minimal-update.opam", localOpam(['"dune"', '"a"', '"b" {>= "0.2"}', '"c"'], [repos]));
    expectOk(await w.lock(["--minimal-update"]));
    expect(await locked()).toEqual(['"a" {= "0.1" & ?vendor}', '"b" {= "0.2" & ?vendor}', '"c" {= "0.1" & ?vendor}']);

    await w.write("minimal-update.opam", localOpam(['"dune"', '"a"', '"b" {>= "0.2"}'], [repos]));
    expectOk(await w.lock(["--minimal-update"]));
    expect(await locked()).toEqual(['"a" {= "0.1" & ?vendor}', '"b" {= "0.2" & ?vendor}']);

    // Without the flag, everything moves to the newest versions.
    expectOk(await w.lock());
    expect(await locked()).toEqual(['"a" {= "0.2" & ?vendor}', '"b" {= "0.2" & ?vendor}']);
  });
});

describe("lock: no-build-command", () => {
  const repo = () =>
    opamRepo()
      .pkg("with-dune", "0.1", dunePkg("with-dune"))
      .pkg("without-dune", "0.1", dunePkg("without-dune", { depends: ['"ocaml"'], extra: 'build: ["make"]' }))
      .pkg("depend-with-dune", "0.1", { depends: ['"with-dune"'], url: "https://d.com/dwd.tbz", devRepo: "git+https://d.com/dwd" })
      .pkg("depend-without-dune", "0.1", { depends: ['"without-dune"'], url: "https://d.com/dwod.tbz", devRepo: "git+https://d.com/dwod" });

  it("a virtual package (no build, no install) passes the dune check but its dependencies do not", async () => {
    const repos = REPOS_FIELD("minimal-repo", "repo");
    const w = await world(
      {
        "test-depend-without-dune.opam": localOpam(['"depend-without-dune"'], [repos]),
        "test-depend-with-dune.opam": localOpam(['"depend-with-dune"'], [repos]),
      },
      { repo: repo() },
    );
    const failing = await w.lock(["test-depend-without-dune.opam"]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/^opam-monorepo: \[ERROR\] Some dependencies cannot be built with dune!\n/);
    expect(failing.stderr).toMatch(/don't use dune as their build system:\n- without-dune\n/);
    expect(failing.stderr).toMatch(/opam repository add dune-universe git\+https:\/\/github\.com\/dune-universe\/opam-overlays\.git/);
    // The positional `x.opam` is the package x at version "opam" (a reference quirk kept for compatibility).
    const passing = await w.lock(["test-depend-with-dune.opam"]);
    expect(passing.stderr).toBe("");
    expect(passing.code).toBe(0);
    const text = await w.read("test-depend-with-dune.opam.locked");
    expect(dependLines(text, ["depend-with-dune", "with-dune"])).toEqual(['"depend-with-dune" {= "0.1"}', '"with-dune" {= "0.1" & ?vendor}']);
  });
});

describe("lock: opam-provided", () => {
  const repos = REPOS_FIELD("minimal-repo", "repo");
  const provided = (names: string) => `x-opam-monorepo-opam-provided: ${names}`;
  const repo = () => opamRepo().pkg("b", "1", dunePkg("b")).pkg("depends-on-b", "1", dunePkg("depends-on-b", { depends: ['"dune"', '"b"'], hash: "3" }));
  const all = ["b", "base-bigarray", "base-threads", "base-unix", "depends-on-b", "dune", ...COMPILER];
  const rest = ['"base-bigarray" {= "base"}', '"base-threads" {= "base"}', '"base-unix" {= "base"}'];
  const tail = ['"dune" {= "2.9.1"}', '"ocaml" {= "4.13.1"}', '"ocaml-base-compiler" {= "4.13.1"}', '"ocaml-config" {= "2"}', '"ocaml-options-vanilla" {= "1"}'];

  it("vendors b by default, leaves it to opam when the field or the CLI says so", async () => {
    const w = await world(
      {
        "vendored.opam": localOpam(['"dune"', '"b"'], [repos]),
        "opam-provided.opam": localOpam(['"dune"', '"b"'], [repos, provided('"b"')]),
      },
      { repo: repo() },
    );
    expectOk(await w.lock(["vendored"]));
    let text = await w.read("vendored.opam.locked");
    expect(dependLines(text, all)).toEqual(['"b" {= "1" & ?vendor}', ...rest, ...tail]);
    expect(lockField(text, "x-opam-monorepo-duniverse-dirs")).toMatch(/"https:\/\/b\.com\/b\.tbz"\n\s+"b"/);

    expectOk(await w.lock(["opam-provided"]));
    text = await w.read("opam-provided.opam.locked");
    expect(dependLines(text, all)).toEqual(['"b" {= "1"}', ...rest, ...tail]);
    expect(lockField(text, "x-opam-monorepo-duniverse-dirs")).toBeUndefined();
    expect(lockField(text, "pin-depends")).toBeUndefined();
    expect(lockField(text, "x-opam-monorepo-opam-provided")).toBe('["b"]');

    expectOk(await w.lock(["vendored", "--opam-provided", "b"]));
    expect(dependLines(await w.read("vendored.opam.locked"), ["b"])).toEqual(['"b" {= "1"}']);

    const pinnedCompiler = await w.lock(["opam-provided", "--ocaml-version=4.13.1"]);
    expect(pinnedCompiler.code).toBe(0);
    expect(dependLines(await w.read("opam-provided.opam.locked"), ["b", "ocaml"])).toEqual(['"b" {= "1"}', '"ocaml" {= "4.13.1"}']);
  });

  it("transitive: a vendored package keeps its opam-provided dependency non-vendored", async () => {
    const w = await world({ "transitive.opam": localOpam(['"dune"', '"depends-on-b"'], [repos, provided('"b"')]) }, { repo: repo() });
    expectOk(await w.lock(["transitive"]));
    expect(dependLines(await w.read("transitive.opam.locked"), all)).toEqual(['"b" {= "1"}', ...rest, '"depends-on-b" {= "1" & ?vendor}', ...tail]);
  });

  it("reverse-transitive: what only an opam-provided package needs is opam-provided too", async () => {
    const w = await world({ "reverse-transitive.opam": localOpam(['"dune"', '"depends-on-b"'], [repos, provided('["depends-on-b"]')]) }, { repo: repo() });
    expectOk(await w.lock(["reverse-transitive"]));
    const text = await w.read("reverse-transitive.opam.locked");
    expect(dependLines(text, all)).toEqual(['"b" {= "1"}', ...rest, '"depends-on-b" {= "1"}', ...tail]);
    expect(text).not.toMatch(/\?vendor/);
  });
});

describe("lock: require-cross-compile", () => {
  const b = (version: string, url: string, hash: string, tags?: string[]) =>
    dunePkg("b", { devRepo: "git+https://b.com/b.git", url, hash, extra: 'build: ["dune" "build"]', tags });

  it("prefers cross-compile-tagged versions only with the flag and only where some version is tagged", async () => {
    const upstream = opamRepo().pkg("b", "0.1", { ...b("0.1", "https://b.com/b.0.1.tbz", "0"), depends: ['"ocaml"'], extra: 'build: ["make"]' });
    const overlays = opamRepo().pkg("b", "0.1+dune", b("0.1+dune", "https://dune.com/b.0.1-dune.tbz", "1"));
    const mirage = opamRepo().pkg("b", "0.1+dune+mirage", b("0.1+dune+mirage", "https://mirage.com/b.0.1-dune-mirage.tbz", "2", ["cross-compile"]));
    const w = await world(
      {
        "without-mirage.opam": localOpam(['"dune"', '"b"'], [REPOS_FIELD("minimal-repo", "opam-repository", "opam-overlays")]),
        "with-mirage.opam": localOpam(['"dune"', '"b"'], [REPOS_FIELD("minimal-repo", "opam-repository", "opam-overlays", "mirage-opam-overlays")]),
      },
      { "opam-repository": upstream, "opam-overlays": overlays, "mirage-opam-overlays": mirage },
    );
    const pick = async (target: string, args: string[] = []) => {
      const result = await w.lock([target, ...args]);
      expect(result.stderr).toBe("");
      return dependLines(await w.read(`${target}.opam.locked`), ["b"])[0];
    };
    expect(await pick("without-mirage")).toBe('"b" {= "0.1+dune" & ?vendor}');
    expect(await pick("with-mirage")).toBe('"b" {= "0.1+dune+mirage" & ?vendor}');

    const b02 = b("0.2", "https://b.com/b.0.2.tbz", "3");
    await opamRepo().pkg("b", "0.2", b02).writeTo(path.join(w.dir, "opam-repository"));
    expect(await pick("without-mirage")).toBe('"b" {= "0.2" & ?vendor}');
    expect(await pick("with-mirage")).toBe('"b" {= "0.2" & ?vendor}');
    expect(await pick("without-mirage", ["--require-cross-compile"])).toBe('"b" {= "0.2" & ?vendor}');
    expect(await pick("with-mirage", ["--require-cross-compile"])).toBe('"b" {= "0.1+dune+mirage" & ?vendor}');
    expect(lockField(await w.read("with-mirage.opam.locked"), "pin-depends")).toBe(
      '["b.0.1+dune+mirage" "https://mirage.com/b.0.1-dune-mirage.tbz"]',
    );

    await opamRepo().pkg("b", "0.2", { ...b02, tags: ["cross-compile"] }).writeTo(path.join(w.dir, "opam-repository"));
    expect(await pick("with-mirage", ["--require-cross-compile"])).toBe('"b" {= "0.2" & ?vendor}');
  });
});

describe("lock: error-on-directory-conflict", () => {
  it("fails when different dev-repos would share a duniverse directory, naming them all, and writes nothing", async () => {
    const same = { hash: "0", extra: 'build: ["dune" "build"]' };
    const repo = opamRepo()
      .pkg("foo", "0.1.0", dunePkg("foo", { ...same, devRepo: "git+https://github.com/foo/project", url: "https://test.com/foo.tbz" }))
      .pkg("foo-branch", "0.1.0", dunePkg("foo-branch", { ...same, devRepo: "git+https://github.com/foo/project.git#branch", url: "https://test.com/foo-branch.tbz" }))
      .pkg("bar", "0.1.0", dunePkg("bar", { ...same, devRepo: "git+https://github.com/bar/project", url: "https://test.com/bar.tbz" }));
    const w = await world({ "x.opam": localOpam(['"dune"', '"foo"', '"foo-branch"', '"bar"'], [REPOS_FIELD("minimal-repo", "repo")]) }, { repo });
    const result = await w.lock();
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(progressLines(11, 0, "").split("\n").slice(0, 4).join("\n") + "\n");
    expect(result.stderr).toBe(
      "opam-monorepo: [ERROR] Multiple dev-repos would be vendored into the directory: duniverse/project\n" +
        "Dev-repos:\n- git+https://github.com/foo/project.git#branch\n- git+https://github.com/foo/project\n- git+https://github.com/bar/project\n",
    );
    expect(w.exists("x.opam.locked")).toBe(false);
  });
});

describe("lock: packages of one source repository", () => {
  const release = (name: string, version: string, hash: string, extra: Partial<Parameters<typeof dunePkg>[1]> = {}) =>
    dunePkg(name, { devRepo: "git+https://github.com/foo/foo.git", url: `https://foo.com/foo-${version}.tbz`, hash, ...extra });

  it("come from one archive: foo-lwt < 2 holds foo back to the same release (#396), one duniverse dir", async () => {
    const repo = opamRepo()
      .pkg("foo", "1", release("foo", "1", "a"))
      .pkg("foo", "2", release("foo", "2", "b"))
      .pkg("foo-lwt", "1", release("foo-lwt", "1", "a", { depends: ['"dune"', '"foo"'] }))
      .pkg("foo-lwt", "2", release("foo-lwt", "2", "b", { depends: ['"dune"', '"foo"'] }));
    const w = await world({ "x.opam": localOpam(['"dune"', '"foo"', '"foo-lwt" {< "2"}'], [REPOS_FIELD("minimal-repo", "repo")]) }, { repo });
    expectOk(await w.lock());
    const text = await w.read("x.opam.locked");
    expect(dependLines(text, ["foo", "foo-lwt"])).toEqual(['"foo" {= "1" & ?vendor}', '"foo-lwt" {= "1" & ?vendor}']);
    expect(lockField(text, "x-opam-monorepo-duniverse-dirs")).toMatch(/^\[\n {2}\[\n {4}"https:\/\/foo\.com\/foo-1\.tbz"\n {4}"foo"\n/);
    expect(lockField(text, "pin-depends")).toBe('[\n  ["foo.1" "https://foo.com/foo-1.tbz"]\n  ["foo-lwt.1" "https://foo.com/foo-1.tbz"]\n]');
  });

  it("keep their own conflicts: field too (the reference dropped it)", async () => {
    const repo = opamRepo()
      .pkg("foo", "1", release("foo", "1", "a"))
      .pkg("foo", "2", release("foo", "2", "b", { conflicts: ['"bar" {>= "2"}'] }))
      .pkg("bar", "1", dunePkg("bar", { hash: "c" }))
      .pkg("bar", "2", dunePkg("bar", { hash: "d" }));
    const w = await world({ "x.opam": localOpam(['"dune"', '"bar"', '"foo"'], [REPOS_FIELD("minimal-repo", "repo")]) }, { repo });
    expectOk(await w.lock());
    expect(dependLines(await w.read("x.opam.locked"), ["bar", "foo"])).toEqual(['"bar" {= "2" & ?vendor}', '"foo" {= "1" & ?vendor}']);
  });
});
