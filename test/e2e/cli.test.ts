// End-to-end checks of the executable itself: version, help, exit codes, prefixes.
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, symlink } from "node:fs/promises";
import path from "node:path";
import { cliPath, pinnedEnv, projectRoot, runCli } from "../helpers/cli.js";
import { testdir } from "../helpers/testdir.js";

const version = (JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { version: string }).version;

/** Runs `file args` with the pinned environment plus `env`; never rejects. */
function runFile(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: pinnedEnv(cwd, env) }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
    });
  });
}

describe("the opam-monorepo executable", () => {
  it("prints its version", async () => {
    const cwd = await testdir();
    const result = await runCli(["--version"], { cwd });
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });
  it("answers --version from sh without starting Node, through a chain of symlinks", async () => {
    const cwd = await testdir();
    // Relative links, the way npm links a package's bin: a Node that cannot start proves sh answered.
    await symlink(path.relative(cwd, cliPath), path.join(cwd, "first"));
    await mkdir(path.join(cwd, "bin"));
    await symlink("../first", path.join(cwd, "bin", "opam-monorepo"));
    const noNode = { NODE_OPTIONS: "--no-such-option" };
    const direct = await runFile("sh", [path.join(cwd, "bin", "opam-monorepo"), "--version"], cwd, noNode);
    expect(direct).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: "" });
    const other = await runFile("sh", [path.join(cwd, "bin", "opam-monorepo"), "--help"], cwd, noNode);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/no-such-option/);
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
