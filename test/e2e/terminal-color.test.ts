// Colour decisions of the real CLI (issue 12.14): FORCE_COLOR and CLICOLOR_FORCE force colour
// through pipes and over NO_COLOR; FORCE_COLOR=0 turns it off on a terminal; --color decides first.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { cliLine, haveScript, inTerminal } from "../helpers/terminal.js";
import { removeTestdir, testdir } from "../helpers/testdir.js";

const ESC = "\x1b[";
let dir: string;

beforeAll(async () => {
  dir = await testdir();
});
afterAll(() => removeTestdir(dir));

/** `why` in a directory without a lock file: one red `[ERROR]` paragraph on stderr. */
async function piped(env: NodeJS.ProcessEnv, extra: string[] = []) {
  const result = await runCli(["why", "foo", ...extra], { cwd: dir, env });
  expect(result.code).toBe(1);
  return result.stderr;
}

describe("colour through a pipe", () => {
  it("is off by default, and with NO_COLOR", async () => {
    expect(await piped({})).toContain("[ERROR]");
    expect(await piped({})).not.toContain(ESC);
  });

  it("is on with FORCE_COLOR=1, FORCE_COLOR=true, FORCE_COLOR= (empty) and CLICOLOR_FORCE=1, even with NO_COLOR", async () => {
    for (const env of [{ FORCE_COLOR: "1" }, { FORCE_COLOR: "true" }, { FORCE_COLOR: "" }, { CLICOLOR_FORCE: "1" }, { FORCE_COLOR: "3", NO_COLOR: "1" }]) {
      expect(await piped(env), JSON.stringify(env)).toContain(`${ESC}31m[ERROR]${ESC}0m`);
    }
  });

  it("stays off with FORCE_COLOR=0, FORCE_COLOR=false, CLICOLOR_FORCE=0 and CLICOLOR_FORCE= (empty)", async () => {
    for (const env of [{ FORCE_COLOR: "0" }, { FORCE_COLOR: "false" }, { CLICOLOR_FORCE: "0" }, { CLICOLOR_FORCE: "" }]) {
      expect(await piped(env), JSON.stringify(env)).not.toContain(ESC);
    }
  });

  it("FORCE_COLOR=0 wins over CLICOLOR_FORCE=1, and --color=never over FORCE_COLOR=1", async () => {
    expect(await piped({ FORCE_COLOR: "0", CLICOLOR_FORCE: "1" })).not.toContain(ESC);
    expect(await piped({ FORCE_COLOR: "1" }, ["--color=never"])).not.toContain(ESC);
  });
});

describe.runIf(haveScript)("colour on a terminal", () => {
  it("is on by default and off with FORCE_COLOR=0 or NO_COLOR", async () => {
    const line = cliLine(["why", "foo"]);
    expect((await inTerminal(line, { cwd: dir, home: dir })).output).toContain(`${ESC}31m[ERROR]`);
    expect((await inTerminal(line, { cwd: dir, home: dir, env: { FORCE_COLOR: "0" } })).output).not.toContain(ESC);
    expect((await inTerminal(line, { cwd: dir, home: dir, env: { NO_COLOR: "1" } })).output).not.toContain(ESC);
  }, 60_000);
});
