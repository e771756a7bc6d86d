// `outdated` and `lock --update PKG…` on the bundled example: the table and JSON, newer versions
// added to its repository, an update that moves only the named package (where a plain lock moves
// more), the recorded command line kept, and unknown packages refused.
import { cpSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { copyFixtures, removeTempDirs, show } from "./plugin-world.js";

async function lockedExample() {
  const copy = await copyFixtures("om-outdated-");
  const cli = (args: string[]) => runCli(args, { cwd: copy.example, home: copy.dir });
  const lock = await cli(["lock", "--ocaml-version", "4.13.1"]);
  expect(lock.code, show(lock)).toBe(0);
  const lockfile = path.join(copy.example, "hello.opam.locked");
  /** A new release of `name`: a copy of the `from` version's opam file. */
  const release = (name: string, from: string, to: string) => {
    const dir = path.join(copy.fixtures, "repos", "example", "packages", name);
    cpSync(path.join(dir, `${name}.${from}`), path.join(dir, `${name}.${to}`), { recursive: true });
  };
  const version = (name: string) => new RegExp(`"${name}" \\{= "([^"]+)"`).exec(readFileSync(lockfile, "utf8"))?.[1];
  return { ...copy, cli, release, version, lockfile };
}

describe("outdated and lock --update", () => {
  afterAll(removeTempDirs);

  it("lists the outdated packages with the newest compatible and newest versions", async () => {
    const { cli } = await lockedExample();
    const result = await cli(["outdated"]);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toBe(
      [
        "package              locked  compatible  latest",
        "greet                1.0     1.0         1.1",
        "ocaml                4.13.1  4.13.1      4.14.2",
        "ocaml-base-compiler  4.13.1  4.13.1      4.14.2",
        "ocaml-config         2       2           3",
        "",
      ].join("\n"),
    );
    const json = await cli(["outdated", "--all", "--json"]);
    const parsed = JSON.parse(json.stdout);
    expect(parsed).toMatchObject({ ok: true, outdated: 4 });
    expect(parsed.packages).toHaveLength(11);
    expect(parsed.packages.find((row: { name: string }) => row.name === "shout")).toEqual({ name: "shout", locked: "2.1", compatible: "2.1", latest: "2.1", vendored: true });
  }, 60_000);

  it("updates only the named package, says what changed, and keeps the recorded command line", async () => {
    const { cli, release, version, lockfile } = await lockedExample();
    release("greet", "1.0", "1.2");
    release("shout", "2.1", "2.2");
    release("shout-utils", "2.1", "2.2");
    const outdated = await cli(["outdated"]);
    expect(outdated.stdout).toMatch(/^greet {16}1\.0 {5}1\.2 {9}1\.2$/m);
    // shout 2.2 needs shout-utils 2.2 and shout 2.1 needs shout-utils 2.1: neither moves alone.
    expect(outdated.stdout).toMatch(/^shout {16}2\.1 {5}2\.1 {9}2\.2$/m);
    expect(outdated.stdout).toMatch(/^shout-utils {10}2\.1 {5}2\.1 {9}2\.2$/m);
    expect(outdated.stdout).toMatch(/lock --update greet` moves it/);
    const recorded = /^x-opam-monorepo-cli-args: .*$/m.exec(readFileSync(lockfile, "utf8"))![0];
    const update = await cli(["lock", "--update", "greet"]);
    expect(update.code, show(update)).toBe(0);
    expect(update.stdout).toMatch(/Changes against the previous lock file: 1 upgraded\n {6}greet 1\.0 → 1\.2\n/);
    expect(update.stdout).not.toMatch(/shout 2\.1 →/);
    expect([version("greet"), version("shout"), version("ocaml")]).toEqual(["1.2", "2.1", "4.13.1"]);
    expect(readFileSync(lockfile, "utf8")).toContain(recorded);
    const again = await cli(["lock", "--update", "greet", "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, changes: { unchanged: true, upgraded: [] } });
    const both = await cli(["lock", "-u", "shout", "greet", "--json"]);
    expect(JSON.parse(both.stdout).changes).toMatchObject({
      upgraded: [
        { name: "shout", from: "2.1", to: "2.2" },
        { name: "shout-utils", from: "2.1", to: "2.2" },
      ],
      downgraded: [],
      added: [],
      removed: [],
    });
  }, 60_000);

  it("a plain lock moves every package, --update only the named one", async () => {
    const { cli, release, version } = await lockedExample();
    release("greet", "1.0", "1.2");
    release("shout", "2.1", "2.2");
    release("shout-utils", "2.1", "2.2");
    const update = await cli(["lock", "--update", "shout"]);
    expect(update.code, show(update)).toBe(0);
    expect(update.stdout).toMatch(/2 upgraded\n {6}shout 2\.1 → 2\.2\n {6}shout-utils 2\.1 → 2\.2\n/);
    expect([version("greet"), version("shout"), version("shout-utils")]).toEqual(["1.0", "2.2", "2.2"]);
    expect((await cli(["lock", "--ocaml-version", "4.13.1"])).code).toBe(0);
    expect([version("greet"), version("shout"), version("shout-utils")]).toEqual(["1.2", "2.2", "2.2"]);
  }, 60_000);

  it("refuses to update a package that is not locked, or without a lock file", async () => {
    const { cli, example, dir } = await lockedExample();
    const unknown = await cli(["lock", "--update", "alcotest", "--json"]);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ ok: false, error: { code: "UNKNOWN_PACKAGE" } });
    const missing = await runCli(["lock", "--update", "greet", "-r", example, "-l", path.join(dir, "none.opam.locked")], { cwd: dir, home: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/\[ERROR\]/);
  }, 60_000);
});
