// The supported Node.js versions (issue 12.15): the CLI runs under this machine's Node and under
// the Node 22 and 24 releases pinned in ci/node-versions/ (installed by .ci/run): `--version`, and a
// small lock whose lock file must be byte-identical under each.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cliPath, pinnedEnv, projectRoot } from "../helpers/cli.js";
import { testdir } from "../helpers/testdir.js";
import { dunePkg, localOpam, opamRepo, REPOS_FIELD, world } from "./lock-world.js";

const PINNED = path.join(projectRoot, "ci", "node-versions", "node_modules");
const NODES: [string, string][] = [
  ["this machine's", path.dirname(process.execPath)],
  ["22", path.join(PINNED, "node22", "bin")],
  ["24", path.join(PINNED, "node24", "bin")],
];
const missing = NODES.filter(([, bin]) => !existsSync(path.join(bin, "node")));
if (missing.length > 0) console.warn(`node-versions.test.ts: Node ${missing.map(([name]) => name).join(", ")} not installed (run \`npm ci --prefix ci/node-versions\`, as .ci/run does); skipped`);

/** bin/opam-monorepo as a user runs it (its `#!/bin/sh` line execs the first `node` on PATH). */
function cli(bin: string, args: string[], cwd: string, home: string) {
  return spawnSync(cliPath, args, { cwd, env: pinnedEnv(home, { PATH: [bin, process.env.PATH].join(path.delimiter) }), encoding: "utf8", timeout: 120_000 });
}

describe("supported Node.js versions", () => {
  for (const [name, bin] of NODES) {
    it.runIf(existsSync(path.join(bin, "node")))(`Node ${name}: --version, and a lock identical to the others`, async () => {
      const node = spawnSync(path.join(bin, "node"), ["--version"], { encoding: "utf8" }).stdout.trim();
      if (name !== "this machine's") expect(node).toMatch(new RegExp(`^v${name}\\.`));
      const home = await testdir();
      const version = cli(bin, ["--version"], home, home);
      expect(version.status, version.stderr).toBe(0);
      expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
      const repo = opamRepo().pkg("b", "1", dunePkg("b", { hash: "1" })).pkg("c", "1", dunePkg("c", { hash: "2" }));
      const w = await world({ "x.opam": localOpam(['"dune"', '"b"', '"c"'], [REPOS_FIELD("minimal-repo", "repo")]) }, { repo });
      const lock = cli(bin, ["lock"], w.dir, home);
      expect(lock.status, `${node}: ${lock.stderr}`).toBe(0);
      expect(lock.stdout).toContain("==> Wrote lockfile with 2 entries");
      const reference = await world({ "x.opam": localOpam(['"dune"', '"b"', '"c"'], [REPOS_FIELD("minimal-repo", "repo")]) }, { repo });
      expect((await reference.lock()).code).toBe(0);
      expect(await readFile(path.join(w.dir, "x.opam.locked"), "utf8")).toBe(await reference.read("x.opam.locked"));
      const list = cli(bin, ["cache-key", "--json"], w.dir, home);
      expect(JSON.parse(list.stdout)).toMatchObject({ ok: true, repositories: 2 });
    }, 180_000);
  }
});
