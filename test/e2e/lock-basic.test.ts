// `lock` end to end, the plain cases of opam-monorepo's cram tests (§7.1): simple-lock,
// cli-args-in-lockfile, config-cli-args, depext, empty-duniverse, missing-dev-repo,
// recursive-local-package-search; plus --json and byte-identical re-locks.
import { describe, expect, it } from "vitest";
import { SIMPLE_LOCK } from "../helpers/golden.js";
import { dunePkg, expectOk, localOpam, lockDepends, lockField, opamRepo, progressLines, REPOS_FIELD, world } from "./lock-world.js";

/** `repo/` with b.1 and c.1 as in simple-lock.t. */
const bcRepo = () => opamRepo().pkg("b", "1", dunePkg("b", { hash: "0" })).pkg("c", "1", dunePkg("c", { hash: "1" }));

describe("lock: simple-lock", () => {
  it("prints the five ==> lines and writes the reference lock file byte for byte", async () => {
    const w = await world(
      { "simple-lock.opam": localOpam(['"dune"', '"b"', '"c"'], [REPOS_FIELD("minimal-repo", "repo")]) },
      { repo: bcRepo() },
    );
    const result = await w.lock();
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(progressLines(10, 2, `${w.dir}/simple-lock.opam.locked`));
    expect(result.code).toBe(0);
    expect(await w.read("simple-lock.opam.locked")).toBe(SIMPLE_LOCK);
  });

  it("writes byte-identical lock files when run twice (and with a warm index cache)", async () => {
    const w = await world(
      { "simple-lock.opam": localOpam(['"dune"', '"b"', '"c"'], [REPOS_FIELD("minimal-repo", "repo")]) },
      { repo: bcRepo() },
    );
    expectOk(await w.lock());
    const first = await w.read("simple-lock.opam.locked");
    expectOk(await w.lock());
    expect(await w.read("simple-lock.opam.locked")).toBe(first);
    expectOk(await w.lock(["--no-index-cache"]));
    const withoutCache = await w.read("simple-lock.opam.locked");
    expect(withoutCache.replace('x-opam-monorepo-cli-args: ["--no-index-cache"]\n', "")).toBe(first);
  });

  it("prints only the result as JSON on stdout with --json (progress goes nowhere, errors stay on stderr)", async () => {
    const w = await world(
      { "simple-lock.opam": localOpam(['"dune"', '"b"', '"c"'], [REPOS_FIELD("minimal-repo", "repo")]) },
      { repo: bcRepo() },
    );
    const result = await w.lock(["--json"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const json = JSON.parse(result.stdout) as {
      ok: boolean;
      lockfile: string;
      packages: { name: string; version: string; vendored: boolean }[];
      repositories: { dir: string; url: string; hashes: string[]; provides: { name: string; version: string }[] }[];
    };
    expect(json.ok).toBe(true);
    expect(json.lockfile).toBe(`${w.dir}/simple-lock.opam.locked`);
    const depends = lockDepends(await w.read("simple-lock.opam.locked"));
    expect(json.packages.map((p) => [p.name, p.version, p.vendored]).sort()).toEqual(
      [...depends].map(([name, d]) => [name, d.version, d.vendor]).sort(),
    );
    expect(json.repositories.map((r) => [r.dir, r.url, r.provides.map((p) => `${p.name}.${p.version}`)])).toEqual([
      ["b", "https://b.com/b.tbz", ["b.1"]],
      ["c", "https://c.com/c.tbz", ["c.1"]],
    ]);

    await w.write("simple-lock.opam", localOpam(['"dune"', '"b" {>= "2"}'], [REPOS_FIELD("minimal-repo", "repo")]));
    const before = await w.read("simple-lock.opam.locked");
    const failed = await w.lock(["--json"]);
    expect(failed.code).toBe(1);
    const error = JSON.parse(failed.stdout) as { ok: boolean; error: { code: string; message: string; details: { explanation: { problems: { package: string }[] } } } };
    expect(error.ok).toBe(false);
    expect(error.error.code).toBe("NO_SOLUTION");
    expect(error.error.details.explanation.problems.map((p) => p.package)).toEqual(["b"]);
    expect(failed.stderr).toMatch(/^opam-monorepo: \[ERROR\] /m);
    expect(await w.read("simple-lock.opam.locked")).toBe(before);
  });
});

describe("lock: cli-args-in-lockfile", () => {
  it("records the raw arguments after the subcommand, abbreviations as typed", async () => {
    const w = await world({ "cli-args-in-lockfile.opam": localOpam(['"dune"', '"b"']) }, { repo: bcRepo() });
    const args = ["--recurse", "--opam-provided", "[b]", "--opam-repositories", "[file://$OPAM_MONOREPO_CWD/minimal-repo,file://$OPAM_MONOREPO_CWD/repo]", "--ocaml-version", "4.13.1"];
    const result = await w.lock(args);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const text = await w.read("cli-args-in-lockfile.opam.locked");
    expect(lockField(text, "x-opam-monorepo-cli-args")).toBe(
      `[\n${args.map((a) => `  ${JSON.stringify(a)}`).join("\n")}\n]`,
    );
    expect(lockField(text, "x-opam-monorepo-opam-provided")).toBe('["b"]');
    expect(lockDepends(text).get("b")).toEqual({ version: "1", vendor: false });
  });

  it("writes no cli-args field when lock has no arguments", async () => {
    const w = await world({ "x.opam": localOpam(['"dune"'], [REPOS_FIELD("minimal-repo")]) });
    expectOk(await w.lock());
    expect(await w.read("x.opam.locked")).not.toMatch(/x-opam-monorepo-cli-args/);
  });
});

describe("lock: config-cli-args", () => {
  const both = "[file://$OPAM_MONOREPO_CWD/minimal-repo,file://$OPAM_MONOREPO_CWD/repo]";
  const recorded = '[\n  "file://$OPAM_MONOREPO_CWD/minimal-repo" "file://$OPAM_MONOREPO_CWD/repo"\n]';

  it("--opam-repositories alone, --add-opam-repositories with the field, and replacing a bad field", async () => {
    const w = await world({ "config-cli-args.opam": localOpam(['"dune"', '"b"', '"c"']) }, { repo: bcRepo() });
    expectOk(await w.lock(["--opam-repositories", both]));
    expect(lockField(await w.read("config-cli-args.opam.locked"), "x-opam-monorepo-opam-repositories")).toBe(recorded);

    await w.write("config-cli-args.opam", localOpam(['"dune"', '"b"', '"c"'], [REPOS_FIELD("minimal-repo")]));
    const added = await w.lock(["--add-opam-repositories", "[file://$OPAM_MONOREPO_CWD/repo]"]);
    expect(added.stderr).toBe("");
    expect(lockField(await w.read("config-cli-args.opam.locked"), "x-opam-monorepo-opam-repositories")).toBe(recorded);

    await w.write("config-cli-args.opam", localOpam(['"dune"', '"b"', '"c"'], ['x-opam-monorepo-opam-repositories: ["https://a.com/a.tbz"]']));
    const replaced = await w.lock(["--opam-repositories", both]);
    expect(replaced.stderr).toBe("");
    expect(replaced.code).toBe(0);
    const text = await w.read("config-cli-args.opam.locked");
    expect(lockField(text, "x-opam-monorepo-opam-repositories")).toBe(recorded);
    expect(lockDepends(text).get("c")).toEqual({ version: "1", vendor: true });
  });
});

describe("lock: depext", () => {
  it("copies the depexts of a vendored dependency into the lock file", async () => {
    const repo = opamRepo().pkg("b", "1", dunePkg("b", { extra: 'build: ["dune" "build"]\ndepexts: [["libfantasydependency"]]' }));
    const w = await world({ "depext.opam": localOpam(['"dune"', '"b"'], [REPOS_FIELD("minimal-repo", "repo"), 'depexts: [["liblocal"] {os-family = "debian"}]']) }, { repo });
    expectOk(await w.lock());
    const text = await w.read("depext.opam.locked");
    expect(lockField(text, "depexts")).toBe('[\n  ["libfantasydependency"]\n  ["liblocal"] {os-family = "debian"}\n]');
    expect(lockDepends(text).get("b")).toEqual({ version: "1", vendor: true });
  });
});

describe("lock: empty-duniverse", () => {
  it("locks a project depending only on ocaml and dune with nothing vendored and no duniverse dirs", async () => {
    const w = await world({ "empty-duniverse.opam": localOpam(['"ocaml"', '"dune"'], [REPOS_FIELD("minimal-repo")]) });
    const result = await w.lock();
    expect(result.stdout).toBe(progressLines(8, 0, `${w.dir}/empty-duniverse.opam.locked`));
    const text = await w.read("empty-duniverse.opam.locked");
    expect(text).not.toMatch(/\?vendor/);
    expect(text).not.toMatch(/pin-depends/);
    // As opam's printer does (and the reference's cram test shows), the empty list is left out.
    expect(lockField(text, "x-opam-monorepo-duniverse-dirs")).toBeUndefined();
    expect([...lockDepends(text).keys()]).toContain("ocaml");
    expect(w.exists("duniverse")).toBe(false);
  });
});

describe("lock: missing-dev-repo", () => {
  it("warns about a vendored package without dev-repo, keeps ?vendor and writes 0 entries", async () => {
    const repo = opamRepo().pkg("no-dev-repo", "1", dunePkg("no-dev-repo", { devRepo: undefined }));
    const w = await world({ "missing-dev-repo.opam": localOpam(['"dune"', '"no-dev-repo"'], [REPOS_FIELD("minimal-repo", "repo")]) }, { repo });
    const result = await w.lock();
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(progressLines(9, 0, `${w.dir}/missing-dev-repo.opam.locked`));
    expect(result.stderr).toBe(
      "opam-monorepo: [WARNING] Package no-dev-repo.1 has no dev-repo specified, but it needs a dev-repo to be successfully included in the duniverse.\n",
    );
    const text = await w.read("missing-dev-repo.opam.locked");
    expect(lockDepends(text).get("no-dev-repo")).toEqual({ version: "1", vendor: true });
    expect(text).not.toMatch(/pin-depends/);
  });
});

describe("lock: recursive-local-package-search", () => {
  it("--recurse takes the root and sub-directory packages, never _build, _opam, duniverse or a local opam repository", async () => {
    const leaf = localOpam(['"dune"']);
    const repo = opamRepo().pkg("in-repo", "1", dunePkg("in-repo"));
    const w = await world(
      {
        "root.opam": localOpam(['"dune"'], [REPOS_FIELD("minimal-repo")]),
        "some_dir/some-local-pkg.opam": leaf,
        "_build/default/built.opam": leaf,
        "_opam/opam-pkg.opam": leaf,
        "duniverse/vendored/vendored.opam": leaf,
        "sub/deeper/_build/deep-built.opam": leaf,
        ".hidden/hidden.opam": leaf,
        "dune-project": "(lang dune 2.9)\n(name test)\n",
      },
      { "local-repo": repo.file("packages/in-repo/in-repo.1/in-repo.opam", leaf) },
    );
    const result = await w.lock(["--lockfile", "test.opam.locked", "--recurse"]);
    expect(result.stderr).toBe("");
    expect(result.stdout.split("\n")[0]).toBe("==> Using 2 locally scanned packages as the targets.");
    expect(result.stdout).toContain(`Wrote lockfile with 0 entries to test.opam.locked.`);
    expect(lockField(await w.read("test.opam.locked"), "x-opam-monorepo-root-packages")).toBe('["root" "some-local-pkg"]');
  });

  it("without --recurse, only the root's opam files are targets", async () => {
    const w = await world({
      "root.opam": localOpam(['"dune"'], [REPOS_FIELD("minimal-repo")]),
      "some_dir/some-local-pkg.opam": localOpam(['"dune"', '"root"']),
    });
    const result = await w.lock();
    expect(result.stdout.split("\n")[0]).toBe("==> Using 1 locally scanned package as the target.");
    expect(lockField(await w.read("root.opam.locked"), "x-opam-monorepo-root-packages")).toBe('["root"]');
  });
});
