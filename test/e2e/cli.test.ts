// End-to-end checks of the executable itself: version, help, exit codes, prefixes.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { projectRoot, runCli } from "../helpers/cli.js";
import { testdir } from "../helpers/testdir.js";

const version = (JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { version: string }).version;

describe("the opam-monorepo executable", () => {
  it("prints its version", async () => {
    const cwd = await testdir();
    const result = await runCli(["--version"], { cwd });
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });
  it("shows help with no arguments and for a command", async () => {
    const cwd = await testdir();
    const none = await runCli([], { cwd });
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/Usage: opam-monorepo/);
    const help = await runCli(["pull", "--help"], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: opam-monorepo pull/);
  });
  it("exits 124 on a bad command line and on an ambiguous prefix", async () => {
    const cwd = await testdir();
    expect((await runCli(["--no-such-flag"], { cwd })).code).toBe(124);
    const ambiguous = await runCli(["l"], { cwd });
    expect(ambiguous.code).toBe(124);
    expect(ambiguous.stderr).toMatch(/ambiguous/);
  });
});
