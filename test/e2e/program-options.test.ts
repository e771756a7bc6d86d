// Text from a lock file, an opam file or the command line never reaches another program as an
// option, through the real CLI: a git ref `--upload-pack=<command>` (pull of a lock file, pin-depends
// and repository URLs during lock, a repository package's git URL) and a depext name that is an
// option. Each attack would create a marker file; each must fail with one clear error, exit 1.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { lockfileText } from "../../src/lockfile/file.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { makeGitRepo, type GitRepo } from "../helpers/git.js";
import { opamText } from "../helpers/opam-repo.js";
import { testdir } from "../helpers/testdir.js";
import { LOCKFILE_NAME, writePullProject } from "../helpers/pull-project.js";
import { localOpam, REPOS_FIELD, world } from "./lock-world.js";
import { show, writeStandins } from "./plugin-world.js";

let scratch: string;
let repo: GitRepo;
let counter = 0;

/** A ref that makes git run `touch <marker>` if it ever reaches git as an option. */
function attack(): { ref: string; marker: string } {
  const marker = path.join(scratch, `marker-${counter++}`);
  return { ref: `--upload-pack=touch\${IFS}${marker}`, marker };
}

function expectRefused(result: CliResult, marker: string, code: RegExp): void {
  expect(existsSync(marker), `${marker} was created: git ran the command\n${show(result)}`).toBe(false);
  expect(result.code, show(result)).toBe(1);
  expect(result.stderr).toMatch(/\[ERROR\]/u);
  expect(result.stderr).toMatch(code);
  expect(result.stderr).not.toMatch(/unexpected error|    at /u);
}

const REF_REFUSED = /is not a valid ref name: it starts with '-'/u;

beforeAll(async () => {
  scratch = await testdir({}, "om-program-options-");
  repo = makeGitRepo(path.join(scratch, "repo"), {
    "dune-project": "(lang dune 3.0)\n",
    "gitpin.opam": opamText("gitpin", "dev", { depends: ['"dune"'], extra: 'build: ["dune" "build"]' }),
    repo: 'opam-version: "2.0"\n',
    "packages/git-dep/git-dep.1.0/opam": 'opam-version: "2.0"\ndepends: [\n  "dune"\n]\n',
  });
});

describe("git refs that are options", () => {
  test("pull of a lock file whose source is git+file://…#--upload-pack=…", async () => {
    const { ref, marker } = attack();
    const root = writePullProject(path.join(scratch, `pull-${counter}`), [
      { dir: "evil", url: `git+${repo.url}#${ref}`, hashes: [], provides: [{ name: "evil", version: "1.0" }] },
    ]);
    const result = await runCli(["pull", "--cache-dir", path.join(scratch, "cache")], { cwd: root, home: scratch });
    expectRefused(result, marker, REF_REFUSED);
    expect(result.stderr).toContain(repo.url);
    expect(existsSync(path.join(root, "duniverse", "evil"))).toBe(false);
  });

  test("pull of a lock file whose source is an ext:: URL", async () => {
    const marker = path.join(scratch, `marker-${counter++}`);
    const root = writePullProject(path.join(scratch, `pull-ext-${counter}`), [
      { dir: "evil", url: `git+ext::sh -c touch% ${marker}`, hashes: [], provides: [{ name: "evil", version: "1.0" }] },
    ]);
    const result = await runCli(["pull", "--cache-dir", path.join(scratch, "cache")], { cwd: root, home: scratch });
    expectRefused(result, marker, /names a remote helper/u);
  });

  test("lock with a pin-depends entry git+file://…#--upload-pack=…", async () => {
    const { ref, marker } = attack();
    const w = await world({ "app.opam": localOpam(['"dune"', '"gitpin"'], [REPOS_FIELD("minimal-repo"), `pin-depends: [["gitpin.dev" "git+${repo.url}#${ref}"]]`]) });
    expectRefused(await w.lock(), marker, REF_REFUSED);
    expect(w.exists("app.opam.locked")).toBe(false);
  });

  test("lock with a repository git+file://…#--upload-pack=… in x-opam-monorepo-opam-repositories", async () => {
    const { ref, marker } = attack();
    const field = `x-opam-monorepo-opam-repositories: ["file://$OPAM_MONOREPO_CWD/minimal-repo" "git+${repo.url}#${ref}"]`;
    const w = await world({ "app.opam": localOpam(['"dune"', '"git-dep"'], [field]) });
    expectRefused(await w.lock(), marker, REF_REFUSED);
  });

  test("lock with a repository git+file://…#--upload-pack=… in --opam-repositories", async () => {
    const { ref, marker } = attack();
    const w = await world({ "app.opam": localOpam(['"dune"', '"git-dep"']) });
    expectRefused(await w.lock(["--opam-repositories", `[file://$OPAM_MONOREPO_CWD/minimal-repo,git+${repo.url}#${ref}]`]), marker, REF_REFUSED);
  });

  test("lock of a package whose url is git+file://…#--upload-pack=… (resolved with git ls-remote)", async () => {
    const { ref, marker } = attack();
    const opam = opamText("gitsrc", "1.0", { depends: ['"dune"'], url: `git+${repo.url}#${ref}`, devRepo: "git+https://example.org/gitsrc.git", extra: 'build: ["dune" "build"]' });
    const w = await world({ "app.opam": localOpam(['"dune"', '"gitsrc"'], [REPOS_FIELD("minimal-repo", "extra")]), "extra/repo": 'opam-version: "2.0"\n', "extra/packages/gitsrc/gitsrc.1.0/opam": opam });
    expectRefused(await w.lock(), marker, REF_REFUSED);
  });
});

test("depext: a system package name that is an option never reaches the package manager", async () => {
  const dir = path.join(scratch, "depext");
  mkdirSync(dir, { recursive: true });
  const standins = writeStandins(dir);
  const lockfile = path.join(dir, LOCKFILE_NAME);
  writeFileSync(lockfile, lockfileText({
    version: "0.3", rootPackages: ["p"], depends: [], depexts: [{ packages: ["--repofrompath=evil,/tmp", "libgmp-dev"], filter: undefined }],
    pinDepends: [], repos: [], cliArgs: undefined, globalOpamVars: undefined, opamProvided: undefined, opamRepositories: undefined,
  }));
  for (const args of [["depext", "-y"], ["depext", "--dry-run"]]) {
    const result = await runCli([...args, "-l", lockfile], { cwd: dir, home: dir, env: { PATH: standins.path(), STANDIN_LOG: standins.log } });
    expect(result.code, show(result)).toBe(1);
    expect(result.stderr).toContain(`[ERROR] the depexts of ${lockfile} name "--repofrompath=evil,/tmp", which is not a system package name`);
    expect(standins.calls()).toEqual([]);
  }
});
