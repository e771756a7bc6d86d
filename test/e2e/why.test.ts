// `why PKG` on the bundled example: the chains from the root package, JSON, packages not in the
// lock file, the lock's recorded options reproduced, and a lock file older than its repositories.
import { readFileSync, rmSync, writeFileSync, cpSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { copyFixtures, removeTempDirs, show } from "./plugin-world.js";

async function lockedExample(lockArgs: string[] = ["--ocaml-version", "4.13.1"]) {
  const copy = await copyFixtures("om-why-");
  const cli = (args: string[]) => runCli(args, { cwd: copy.example, home: copy.dir });
  const lock = await cli(["lock", ...lockArgs]);
  expect(lock.code, show(lock)).toBe(0);
  return { ...copy, cli };
}

describe("why", () => {
  afterAll(removeTempDirs);

  it("prints the chain from the root package, with each constraint", async () => {
    const { cli } = await lockedExample();
    const greet = await cli(["why", "greet"]);
    expect(greet, show(greet)).toMatchObject({ code: 0, stdout: "hello -> shout {>= 2.0} -> greet {>= 1.0}\n" });
    expect(greet.stderr).toBe("");
    const utils = await cli(["why", "shout-utils"]);
    expect(utils.stdout).toBe("hello -> shout {>= 2.0} -> shout-utils {= 2.1}\n");
    const ocaml = await cli(["why", "ocaml"]);
    expect(ocaml.stdout).toBe("hello -> ocaml {>= 4.08}\nocaml-base-compiler -> ocaml {= 4.13.1}\n");
    const root = await cli(["why", "hello"]);
    expect(root.stdout).toBe("hello\n");
  });

  it("prints the chains as JSON with versions", async () => {
    const { cli, example } = await lockedExample();
    const result = await cli(["why", "greet", "--json"]);
    expect(result.code, show(result)).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: true,
      lockfile: path.join(example, "hello.opam.locked"),
      package: "greet",
      version: "1.0",
      vendored: true,
      chains: [
        [
          { name: "hello", version: "zdev", constraint: "" },
          { name: "shout", version: "2.1", constraint: ">= 2.0" },
          { name: "greet", version: "1.0", constraint: ">= 1.0" },
        ],
      ],
    });
  });

  it("refuses a package that is not in the lock file", async () => {
    const { cli } = await lockedExample();
    const result = await cli(["why", "alcotest"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^opam-monorepo: \[ERROR\] alcotest is not in the lock file \S+hello\.opam\.locked\n/);
    const json = await cli(["why", "alcotest", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: "UNKNOWN_PACKAGE" } });
  });

  it("accepts prefixes and an explicit lock file, from another directory", async () => {
    const { example, dir } = await lockedExample();
    const result = await runCli(["wh", "greet", "--lock", path.join(example, "hello.opam.locked"), "--ro", example], { cwd: dir, home: dir });
    expect(result, show(result)).toMatchObject({ code: 0, stdout: "hello -> shout {>= 2.0} -> greet {>= 1.0}\n" });
    const missing = await runCli(["why", "greet"], { cwd: dir, home: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No lockfile/);
  });

  it("re-solves with the options recorded in the lock file (here --build-only)", async () => {
    const copy = await copyFixtures("om-why-");
    const opam = path.join(copy.example, "hello.opam");
    // A test-only dependency on greet: with --build-only it is not part of the solve.
    writeFileSync(opam, readFileSync(opam, "utf8").replace('"shout" {>= "2.0"}', '"shout" {>= "2.0"}\n  "greet" {with-test & >= "0.1"}'));
    const cli = (args: string[]) => runCli(args, { cwd: copy.example, home: copy.dir });
    expect((await cli(["lock", "--build-only", "--ocaml-version", "4.13.1"])).code).toBe(0);
    expect((await cli(["why", "greet"])).stdout).toBe("hello -> shout {>= 2.0} -> greet {>= 1.0}\n");
    expect((await cli(["lock", "--ocaml-version", "4.13.1"])).code).toBe(0);
    expect((await cli(["why", "greet"])).stdout).toBe("hello -> greet {>= 0.1}\n");
  });

  it("reuses a recorded relative --root, from the directory lock ran in", async () => {
    const copy = await copyFixtures("om-why-");
    const fixtures = (args: string[]) => runCli(args, { cwd: copy.fixtures, home: copy.dir });
    const lock = await fixtures(["lock", "-r", "example", "-l", "example/hello.opam.locked", "--ocaml-version", "4.13.1"]);
    expect(lock.code, show(lock)).toBe(0);
    const result = await fixtures(["why", "greet", "-l", "example/hello.opam.locked"]);
    expect(result, show(result)).toMatchObject({ code: 0, stdout: "hello -> shout {>= 2.0} -> greet {>= 1.0}\n" });
  });

  it("uses the root packages when the lock file records no command line (older writers)", async () => {
    const { cli, example } = await lockedExample();
    const file = path.join(example, "hello.opam.locked");
    writeFileSync(file, readFileSync(file, "utf8").replace(/^x-opam-monorepo-cli-args: .*\n/m, ""));
    const result = await cli(["why", "greet"]);
    expect(result, show(result)).toMatchObject({ code: 0, stdout: "hello -> shout {>= 2.0} -> greet {>= 1.0}\n" });
  });

  it("warns when the repositories no longer give the locked versions", async () => {
    const { cli, fixtures } = await lockedExample();
    const greet = path.join(fixtures, "repos", "example", "packages", "greet");
    cpSync(path.join(greet, "greet.1.0"), path.join(greet, "greet.1.2"), { recursive: true });
    rmSync(path.join(greet, "greet.1.0"), { recursive: true });
    const result = await cli(["why", "greet"]);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toBe("hello -> shout {>= 2.0} -> greet {>= 1.0}\n");
    expect(result.stderr).toMatch(/\[WARNING\] \S+hello\.opam\.locked does not match a fresh solve: greet \(locked 1\.0, now 1\.2\)\. /);
  });

  it("reads only the locked versions' opam files: a broken newer version does not matter", async () => {
    const { cli, fixtures } = await lockedExample();
    const broken = path.join(fixtures, "repos", "example", "packages", "greet", "greet.9.9");
    cpSync(path.join(fixtures, "repos", "example", "packages", "greet", "greet.1.0"), broken, { recursive: true });
    writeFileSync(path.join(broken, "opam"), 'opam-version: "2.0"\ndepends: [ "shout" {>= \n');
    const result = await cli(["why", "greet"]);
    expect(result, show(result)).toMatchObject({ code: 0, stdout: "hello -> shout {>= 2.0} -> greet {>= 1.0}\n", stderr: "" });
  });
});
