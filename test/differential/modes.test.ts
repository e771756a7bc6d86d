// Differential tests of lock modes against the real opam-monorepo 0.4.3, on a small synthetic
// repository: switch mode (an opam root made by Debian's opam), --minimal-update, pin-depends,
// several local packages, --recurse-opam, a git repository, a repository given twice, and the
// reference's cram findings (dev-repo without a scheme, a duplicated field, broken files). Each
// lock must be byte-identical; where the README documents a difference, exactly that one appears.
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeGitRepo } from "../helpers/git.js";
import { opamRepo } from "../helpers/opam-repo.js";
import { removeTestdir, testdir } from "../helpers/testdir.js";
import { firstDifference, firstError, runOurs, runReference, unavailableReason, type Project, type RunResult, type Sandbox } from "./harness.js";
import { FIXED_VARS_FIELD, localOpam, makeOpamRoot, smallRepository } from "./world.js";

const hasOpam = (() => {
  try {
    execFileSync("opam", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const reason = unavailableReason() ?? (hasOpam ? undefined : "Debian's opam is not installed (apt-get install -y opam)");
if (reason !== undefined) console.log(`differential modes: skipped, ${reason}`);
const suite = reason === undefined ? describe : describe.skip;

let sandbox: Sandbox;
let repoDir: string;

async function both(name: string, project: Project): Promise<{ reference: RunResult; ours: RunResult }> {
  const reference = await runReference(path.join(sandbox.dir, name, "reference"), project);
  const ours = await runOurs(path.join(sandbox.dir, name, "ours"), project, sandbox);
  return { reference, ours };
}

function expectSameLock({ reference, ours }: { reference: RunResult; ours: RunResult }): string {
  expect(reference.code, reference.stderr).toBe(0);
  expect(ours.code, ours.stderr).toBe(0);
  expect(ours.lock, firstDifference(reference.lock ?? "", ours.lock ?? "")).toBe(reference.lock);
  return ours.lock!;
}

const repositoriesField = (...urls: string[]) => `x-opam-monorepo-opam-repositories: [${urls.map((url) => `"${url}"`).join(" ")}]`;
const project = (files: Record<string, string>, args: string[] = [], lockfile = "app.opam.locked", env: Record<string, string> = {}): Project => ({
  files: { "dune-project": "(lang dune 3.0)\n", ...files },
  args,
  env,
  lockfile,
});

suite("lock modes: the reference and ours write the same lock file", () => {
  beforeAll(async () => {
    const dir = await testdir({}, "om-diff-modes-");
    sandbox = { dir, home: path.join(dir, "home") };
    repoDir = await smallRepository().writeTo(path.join(dir, "repository"));
  });
  afterAll(async () => removeTestdir(sandbox.dir));

  it("switch mode: the repositories of an opam root made by Debian's opam", async () => {
    const root = path.join(sandbox.dir, "opam-root");
    await makeOpamRoot(root, repoDir);
    const result = await both("switch", project({ "app.opam": localOpam(['"b"', '"d"'], [FIXED_VARS_FIELD]) }, ["--ocaml-version", "4.14.2"], "app.opam.locked", { OPAMROOT: root }));
    const lock = expectSameLock(result);
    expect(lock).not.toContain("x-opam-monorepo-opam-repositories");
    expect(lock).toContain('"a" {= "2.0" & ?vendor}');
  });

  it("--minimal-update keeps the versions of the previous lock", async () => {
    const repos = repositoriesField(`file://${repoDir}`);
    const first = project({ "app.opam": localOpam(['"a" {< "2.0"}', '"c"'], [repos, FIXED_VARS_FIELD]) });
    expect(expectSameLock(await both("minimal", first))).toContain('"a" {= "1.0" & ?vendor}');
    const second = { ...project({ "app.opam": localOpam(['"a"', '"b"', '"c"'], [repos, FIXED_VARS_FIELD]) }, ["--minimal-update"]), fresh: false };
    expect(expectSameLock(await both("minimal", second))).toContain('"a" {= "1.0" & ?vendor}');
  });

  it("pin-depends on a local git repository", async () => {
    const pinned = makeGitRepo(path.join(sandbox.dir, "pinned-src"), {
      "pinned.opam": localOpam(['"dune"', '"a"'], ['build: ["dune" "build"]', 'dev-repo: "git+https://example.com/pinned.git"']),
      "dune-project": "(lang dune 3.0)\n",
    });
    const files = { "app.opam": localOpam(['"pinned"'], [repositoriesField(`file://${repoDir}`), FIXED_VARS_FIELD, `pin-depends: [["pinned.dev" "git+${pinned.url}"]]`]) };
    const lock = expectSameLock(await both("pins", project(files)));
    expect(lock).toContain(`"pinned.dev"\n    "git+${pinned.url}#${pinned.commit}"`);
  });

  it("several local packages and --recurse-opam, named after dune-project", async () => {
    const repos = repositoriesField(`file://${repoDir}`);
    const files = {
      "dune-project": "(lang dune 3.0)\n(name proj)\n",
      "x.opam": localOpam(['"a"'], [repos, FIXED_VARS_FIELD]),
      "y.opam": localOpam(['"x"', '"c"'], [repos, FIXED_VARS_FIELD]),
      "sub/z.opam": localOpam(['"b"', '"d"'], [repos, FIXED_VARS_FIELD]),
    };
    const top = expectSameLock(await both("locals", project(files, [], "proj.opam.locked")));
    expect(top).toContain('x-opam-monorepo-root-packages: ["x" "y"]');
    const recursive = expectSameLock(await both("recurse", project(files, ["--recurse-opam"], "proj.opam.locked")));
    expect(recursive).toContain('x-opam-monorepo-root-packages: ["x" "y" "z"]');
  });

  it("a git repository, and a repository given twice", async () => {
    const gitRepo = makeGitRepo(path.join(sandbox.dir, "git-repository"), smallRepository().files());
    const viaGit = project({ "app.opam": localOpam(['"b"'], [repositoriesField(`git+${gitRepo.url}`), FIXED_VARS_FIELD]) });
    expectSameLock(await both("git", viaGit));
    const twice = project({ "app.opam": localOpam(['"b"'], [repositoriesField(`file://${repoDir}`, `file://${repoDir}`), FIXED_VARS_FIELD]) });
    expect(expectSameLock(await both("twice", twice)).split(`"file://${repoDir}"`)).toHaveLength(2);
  });

  it("nothing vendored: the empty duniverse-dirs is the reference's empty line", async () => {
    const files = { "app.opam": localOpam(['"dune"'], [repositoriesField(`file://${repoDir}`), FIXED_VARS_FIELD]) };
    expect(expectSameLock(await both("nothing", project(files, ["--ocaml-version", "4.14.2"])))).toContain('x-opam-monorepo-cli-args: ["--ocaml-version" "4.14.2"]\n\nx-opam-monorepo-global-opam-vars');
  });

  it("the reference's cram cases: a dev-repo without a scheme, a duplicated field, a broken file nobody needs", async () => {
    const repo = smallRepository()
      .pkg("fmt", "1.0", { depends: ['"dune"'], devRepo: "fmt", url: "https://example.com/fmt-1.0.tbz", checksum: [`sha256=${"7".repeat(64)}`], extra: 'build: ["dune" "build"]' })
      .pkg("dup", "1.0", { depends: ['"dune"'], url: "https://example.com/dup-1.0.tbz", checksum: [`sha256=${"8".repeat(64)}`], extra: 'build: ["dune" "build"]\ndev-repo: "git+https://example.com/first.git"\ndev-repo: "git+https://example.com/second.git"' })
      .pkg("broken", "1.0", { raw: 'opam-version: "2.0"\ndepends: [ "dune"\n' });
    const dir = await repo.writeTo(path.join(sandbox.dir, "cram-repository"));
    const lock = expectSameLock(await both("cram", project({ "app.opam": localOpam(['"fmt"', '"dup"'], [repositoriesField(`file://${dir}`), FIXED_VARS_FIELD]) })));
    expect(lock).toContain('"https://example.com/fmt-1.0.tbz"\n    "fmt"');
    expect(lock).toContain('"https://example.com/dup-1.0.tbz"\n    "first"');
  });

  it("a needed version whose file is broken: the reference crashes (exit 125), ours skips it with a file:line:column warning", async () => {
    const dir = await opamRepo().pkg("a", "3.0", { raw: 'opam-version: "2.0"\ndepends: [ "dune" "ocaml" {>= "4.0"\n' }).writeTo(path.join(sandbox.dir, "broken-repository"));
    const files = { "app.opam": localOpam(['"a"'], [repositoriesField(`file://${dir}`, `file://${repoDir}`), FIXED_VARS_FIELD]) };
    const { reference, ours } = await both("broken", project(files));
    expect(reference.code).toBe(125);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stderr).toContain(`[WARNING] ${dir}/packages/a/a.3.0/opam:3:1:`);
    expect(ours.stderr).toContain("a.3.0 is skipped");
    expect(ours.lock).toContain('"a" {= "2.0" & ?vendor}');
  });

  it("lock without dune-project: the same targets line, then the same error", async () => {
    const files = { "x.opam": localOpam(['"a"'], [repositoriesField(`file://${repoDir}`)]), "y.opam": localOpam(['"c"'], [repositoriesField(`file://${repoDir}`)]) };
    const none: Project = { files, args: [], env: {}, lockfile: "x.opam.locked" };
    const { reference, ours } = await both("no-dune-project", none);
    expect([reference.code, ours.code]).toEqual([1, 1]);
    expect(ours.stdout).toBe(reference.stdout);
    expect(ours.stdout).toBe("==> Using 2 locally scanned packages as the targets.\n");
    expect(firstError(ours.stderr)).toBe(firstError(reference.stderr));
    expect(existsSync(path.join(sandbox.dir, "no-dune-project", "ours", "x.opam.locked"))).toBe(false);
  });
});
