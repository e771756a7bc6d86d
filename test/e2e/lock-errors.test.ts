// `lock` on bad input: each failure is one `opam-monorepo: [ERROR] …` paragraph on stderr naming
// the culprit, exit 1, no stack trace, and no lock file written (an existing one left untouched).
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { CliResult } from "../helpers/cli.js";
import { dunePkg, expectOk, localOpam, opamRepo, REPOS_FIELD, world, type World } from "./lock-world.js";

const PREVIOUS = "# a lock file from an earlier run\n";

/** One error paragraph (the message, then at most a `Hint:` line), exit 1, no bug report. */
function expectUserError(result: CliResult, message: RegExp, code = 1): void {
  expect(result.code, result.stderr).toBe(code);
  expect(result.stderr).toMatch(/^opam-monorepo: \[ERROR\] /);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\n/);
  expect(result.stderr).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
  expect(result.stderr).not.toMatch(/this is a bug|internal error|unexpected error/);
  expect(result.stderr.trim().split("\n").filter((line) => line.startsWith("opam-monorepo: ")).length).toBe(1);
  expect(result.stdout).not.toMatch(/Wrote lockfile/);
}

/** A world whose lock file already exists, to check that a failure leaves it alone. */
async function withPreviousLock(files: Record<string, string>, lockName: string, repos = {}): Promise<World> {
  const w = await world({ ...files, [lockName]: PREVIOUS }, repos);
  return w;
}

const repos = REPOS_FIELD("minimal-repo", "repo");
const repo = () => opamRepo().pkg("b", "1", dunePkg("b"));

describe("lock: bad input", () => {
  it("a malformed local opam file: file:line:col", async () => {
    const w = await withPreviousLock({ "x.opam": `opam-version: "2.0"\ndepends: [\n  "dune"\n  "b" {>= }\n]\n${repos}\n` }, "x.opam.locked", { repo: repo() });
    const result = await w.lock();
    expectUserError(result, new RegExp(`${w.dir}/x\\.opam:4:\\d+`));
    expect(await w.read("x.opam.locked")).toBe(PREVIOUS);
  });

  it("an unknown package: named, with the chain that needs it", async () => {
    const w = await withPreviousLock({ "x.opam": localOpam(['"dune"', '"b"', '"no-such-package" {>= "1.0"}'], [repos]) }, "x.opam.locked", { repo: repo() });
    const result = await w.lock();
    expectUserError(result, /no-such-package/);
    expect(result.stderr).toMatch(/No package named no-such-package is known|no repository provides no-such-package/);
    expect(await w.read("x.opam.locked")).toBe(PREVIOUS);
  });

  it("a repository directory that does not exist: its path", async () => {
    const w = await world({ "x.opam": localOpam(['"dune"'], [REPOS_FIELD("minimal-repo", "not-there")]) });
    const result = await w.lock();
    expectUserError(result, new RegExp(`${w.dir}/not-there`));
    expect(w.exists("x.opam.locked")).toBe(false);
  });

  it("a git repository URL that cannot be fetched: the URL", async () => {
    const w = await world({ "x.opam": localOpam(['"dune"'], [REPOS_FIELD("minimal-repo"), 'x-opam-monorepo-opam-repositories: ["git+file:///nonexistent/opam-repository.git"]']) });
    const result = await w.lock(["--add-opam-repositories", "[file://$OPAM_MONOREPO_CWD/minimal-repo]"]);
    expectUserError(result, /\/nonexistent\/opam-repository\.git/);
    expect(w.exists("x.opam.locked")).toBe(false);
  });

  it("a repository that is not an opam repository (no packages/): its path", async () => {
    const w = await world({ "x.opam": localOpam(['"dune"'], [REPOS_FIELD("minimal-repo", "empty")]), "empty/README": "nothing here\n" });
    const result = await w.lock();
    expectUserError(result, new RegExp(`${w.dir}/empty`));
  });

  it("global-opam-vars set to different values in two target opam files", async () => {
    const w = await world({
      "a.opam": localOpam(['"dune"'], [repos, 'x-opam-monorepo-global-opam-vars: [["os" "linux"]]']),
      "b.opam": localOpam(['"dune"'], [repos, 'x-opam-monorepo-global-opam-vars: [["os" "freebsd"]]']),
      "dune-project": "(lang dune 3.0)\n(name ab)\n",
    }, { repo: repo() });
    const result = await w.lock();
    expectUserError(result, /Environment variable os is set to different values in different opam files global-opam-vars field/);
    expect(w.exists("ab.opam.locked")).toBe(false);
  });

  it("an unparsable CLI list: the option and the expected syntax, exit 124 (a bad command line)", async () => {
    const w = await world({ "x.opam": localOpam(['"dune"'], [repos]) }, { repo: repo() });
    const result = await w.lock(["--opam-provided", "[a"]);
    expectUserError(result, /--opam-provided/, 124);
    expect(result.stderr).toMatch(/"\[a"|'\[a'| \[a /);
    expect(w.exists("x.opam.locked")).toBe(false);
    const vars = await w.lock(["--global-opam-vars", "[[os,linux],[arch]]"]);
    expectUserError(vars, /--global-opam-vars/, 124);
  });

  it("several targets and a dune-project without a name", async () => {
    const w = await world({ "a.opam": localOpam(['"dune"'], [repos]), "b.opam": localOpam(['"dune"'], [repos]), "dune-project": "(lang dune 3.0)\n" });
    const result = await w.lock();
    expectUserError(result, /^opam-monorepo: \[ERROR\] Could not infer the target lockfile name: Missing a name field in the dune-project file/);
    expect(result.stderr).toMatch(/--lockfile/);
  });

  for (const [version, message] of [
    ["0.2", /opam-monorepo lockfile version 0\.2 is too old\. Please regenerate the lockfile using your current opam-monorepo plugin or install an older version of the plugin\./],
    ["0.999", /Incompatible opam-monorepo lockfile version 0\.999\. Please upgrade your opam-monorepo plugin\./],
  ] as const) {
    it(`--minimal-update with a version ${version} lock file says which side must upgrade, and keeps the file`, async () => {
      const w = await world({ "x.opam": localOpam(['"dune"', '"b"'], [repos]) }, { repo: repo() });
      expectOk(await w.lock());
      const locked = (await w.read("x.opam.locked")).replace('x-opam-monorepo-version: "0.3"', `x-opam-monorepo-version: "${version}"`);
      await w.write("x.opam.locked", locked);
      const result = await w.lock(["--minimal-update"]);
      expectUserError(result, message);
      expect(await w.read("x.opam.locked")).toBe(locked);
    });
  }

  it("--minimal-update without a lock file", async () => {
    const w = await world({ "x.opam": localOpam(['"dune"'], [repos]) }, { repo: repo() });
    const result = await w.lock(["--minimal-update"]);
    expectUserError(result, new RegExp(`No lock file to upgrade, could not find ${w.dir}/x\\.opam\\.locked`));
  });

  it("no repositories configured and no opam root: says how to give repositories", async () => {
    const w = await world({ "x.opam": localOpam(['"dune"']) });
    const result = await w.lock([], { OPAMROOT: path.join(w.dir, "no-opam-root") });
    expectUserError(result, /no repositories to solve against/);
    expect(result.stderr).toMatch(/x-opam-monorepo-opam-repositories/);
    expect(result.stderr).toMatch(/--opam-repositories/);
    expect(result.stderr).toMatch(/opam init/);
    expect(w.exists("x.opam.locked")).toBe(false);
  });

  it("no local opam file at all", async () => {
    const w = await world({ "README.md": "no opam files\n" });
    expectUserError(await w.lock(), /Cannot find any packages to vendor\./);
  });

  it("an explicit target that is not a local package", async () => {
    const w = await world({ "x.opam": localOpam(['"dune"'], [repos]) }, { repo: repo() });
    expectUserError(await w.lock(["nope", "nada"]), /Packages nope, nada specified but not found in repository/);
  });

  it("a failed solve leaves an existing lock file byte for byte", async () => {
    const w = await withPreviousLock({ "x.opam": localOpam(['"dune"', '"b" {>= "2"}'], [repos]) }, "x.opam.locked", { repo: repo() });
    const result = await w.lock();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^opam-monorepo: \[ERROR\] /);
    expect(result.stderr).toMatch(/x needs b >= 2: no version of b matches >= 2 \(b has 1\)/);
    expect(await w.read("x.opam.locked")).toBe(PREVIOUS);
  });
});

describe("lock: a relative --root", () => {
  it("is made absolute (the reference crashed): the lock file lands in the root, repositories resolve against it", async () => {
    const w = await world({ "proj/x.opam": localOpam(['"dune"', '"b"'], ['x-opam-monorepo-opam-repositories: ["file://$OPAM_MONOREPO_CWD/../minimal-repo" "file://$OPAM_MONOREPO_CWD/../repo"]']) }, { repo: repo() });
    const result = expectOk(await w.lock(["--root", "proj"]));
    expect(result.stdout).toContain(`Wrote lockfile with 1 entries to ${w.dir}/proj/x.opam.locked.`);
    expect(await w.read("proj/x.opam.locked")).toMatch(/"file:\/\/\$OPAM_MONOREPO_CWD\/\.\.\/minimal-repo"/);
  });
});
