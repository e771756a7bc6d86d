// Progress of the real CLI in a pseudo-terminal (issue 12.9 and 12.11): a cold `lock` says which
// repositories it reads, with counts, then that it solves; `pull` shows count, bytes, rate, cache
// reads and the repositories in flight, and ends with one summary line. Piped, neither appears.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { servedMixed } from "../helpers/pull-served.js";
import { writePullProject } from "../helpers/pull-project.js";
import { cliLine, haveScript, inTerminal, screenLines } from "../helpers/terminal.js";
import { testdir } from "../helpers/testdir.js";
import { MIXED } from "../helpers/pull-world.js";
import { dunePkg, localOpam, opamRepo, REPOS_FIELD, world } from "./lock-world.js";

const CLEAR = "\r\x1b[2K";
const PLAIN = { NO_COLOR: "1" };

describe.runIf(haveScript)("lock on a terminal", () => {
  it("draws what it reads (cold: every opam file, then the package counts) and the solve, and clears it before the next step", async () => {
    const repo = opamRepo().pkg("b", "1", dunePkg("b", { hash: "1" }));
    const w = await world({ "x.opam": localOpam(['"dune"', '"b"'], [REPOS_FIELD("minimal-repo", "repo")]) }, { repo });
    const home = await testdir();
    const cold = await inTerminal(cliLine(["lock"]), { cwd: w.dir, home, env: PLAIN });
    expect(cold.code, cold.output).toBe(0);
    expect(cold.output).toContain(`${CLEAR}Reading repositories 0/2 (0 packages) · minimal-repo: reading every opam file (first use)`);
    expect(cold.output).toMatch(/Reading repositories 2\/2 \(9 packages\) · [0-9.]+ s/);
    expect(cold.output).toMatch(/Solving for 1 local package against 2 repositories… [0-9.]+ s\r\x1b\[2K/);
    const lines = screenLines(cold.output).filter((line) => line !== "");
    expect(lines.every((line) => line.startsWith("==> ")), lines.join("\n")).toBe(true);
    expect(lines).toHaveLength(5);
    const warm = await inTerminal(cliLine(["lock"]), { cwd: w.dir, home, env: PLAIN });
    expect(warm.output).not.toContain("reading every opam file");
    expect(warm.output).toMatch(/Reading repositories 2\/2 \(9 packages\)/);
  }, 60_000);

  it("prints nothing of it when piped", async () => {
    const repo = opamRepo().pkg("b", "1", dunePkg("b", { hash: "1" }));
    const w = await world({ "x.opam": localOpam(['"dune"', '"b"'], [REPOS_FIELD("minimal-repo", "repo")]) }, { repo });
    const piped = await runCli(["lock"], { cwd: w.dir, home: await testdir() });
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe("");
    expect(piped.stdout).not.toMatch(/Reading|Solving/);
  }, 60_000);
});

describe.runIf(haveScript)("pull on a terminal", () => {
  const served = servedMixed("om-term-pull-");

  it("shows count, bytes, rate and the repositories in flight, then one summary line; a warm pull says read from cache", async () => {
    served.server.latencyMs = 300;
    const home = served.fresh("home");
    const root = writePullProject(served.fresh("project"), served.repos);
    const cold = await inTerminal(cliLine(["pull", "-j", "4"]), { cwd: root, home, env: PLAIN });
    expect(cold.code, cold.output).toBe(0);
    expect(cold.output).toMatch(/\[0\/9\] repositories · 0 B fetched · [1-4] in flight: [a-z]+/);
    expect(cold.output).toMatch(/\[[1-8]\/9\] repositories · [0-9.]+ KiB fetched at [0-9.]+ (KiB|MiB)\/s/);
    const last = screenLines(cold.output).filter((line) => line.startsWith("==> ")).pop();
    expect(last).toMatch(/^==> Successfully pulled 9\/9 repositories \([0-9.]+ KiB fetched\) in [0-9.]+ s$/);

    served.server.latencyMs = 0;
    const again = await inTerminal(cliLine(["pull"]), { cwd: writePullProject(served.fresh("project"), served.repos), home, env: PLAIN });
    expect(again.output).toMatch(/\[[1-9]\/9\] repositories · 0 B fetched · [1-9] read from cache\/mirror/);
    expect(screenLines(again.output).filter((line) => line.startsWith("==> ")).pop()).toMatch(
      /^==> Successfully pulled 9\/9 repositories \(0 B fetched, 9 from cache\) in [0-9.]+ s$/,
    );
  }, 120_000);

  it("piped: no progress line, the same summary", async () => {
    const home = served.fresh("home");
    const root = writePullProject(served.fresh("project"), served.repos);
    const piped = await runCli(["pull"], { cwd: root, home, env: PLAIN });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).not.toMatch(/in flight|fetched/);
    expect(piped.stdout).toMatch(new RegExp(`==> Successfully pulled ${MIXED.length}/${MIXED.length} repositories \\([0-9.]+ KiB fetched\\) in [0-9.]+ s\\n`));
    expect(path.isAbsolute(root)).toBe(true);
  }, 60_000);
});
