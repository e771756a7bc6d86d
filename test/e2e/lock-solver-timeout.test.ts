// The solver's time limit through the real CLI: a crafted 14-pigeon repository (pigeon p<i> at
// version j needs hole h<j> at version i: pigeonhole, exponential for the search; over a minute
// without a limit) stops after 1 s with SOLVER_TIMEOUT and the hint how to raise it.
import { existsSync } from "node:fs";
import path from "node:path";
import { beforeAll, expect, test } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { testdir } from "../helpers/testdir.js";

const PIGEONS = 14;
const TAIL = `build: ["dune" "build"]\nurl { src: "https://example.org/x.tgz" checksum: "sha256=${"0".repeat(64)}" }\ndev-repo: "git+https://example.org/x"\n`;
let dir: string;

function pigeonhole(): Record<string, string> {
  const files: Record<string, string> = {
    "dune-project": "(lang dune 3.0)\n",
    "repo/repo": 'opam-version: "2.0"\n',
    "repo/packages/dune/dune.3.0/opam": 'opam-version: "2.0"\n',
    "repo/packages/ocaml/ocaml.4.14.0/opam": 'opam-version: "2.0"\n',
    "repo/packages/ocaml-base-compiler/ocaml-base-compiler.4.14.0/opam": 'opam-version: "2.0"\n',
  };
  for (let i = 0; i < PIGEONS; i++) {
    for (let j = 1; j < PIGEONS; j++) {
      files[`repo/packages/p${i}/p${i}.${j}/opam`] = `opam-version: "2.0"\ndepends: ["dune" "h${j}" {= "${i}"}]\n${TAIL}`;
      files[`repo/packages/h${j}/h${j}.${i}/opam`] = `opam-version: "2.0"\ndepends: ["dune"]\n${TAIL}`;
    }
  }
  const pigeons = Array.from({ length: PIGEONS }, (_, i) => `"p${i}"`).join(" ");
  files["app.opam"] = `opam-version: "2.0"\ndepends: ["dune" ${pigeons}]\nx-opam-monorepo-opam-repositories: ["file://$OPAM_MONOREPO_CWD/repo"]\n`;
  return files;
}

beforeAll(async () => {
  dir = await testdir(pigeonhole(), "om-solver-timeout-");
});

function expectTimeout(result: CliResult, seconds: number): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toContain(`[ERROR] The solver found no answer within ${seconds} s and gave up`);
  expect(result.stderr).toContain("--solver-timeout SECONDS or OPAM_MONOREPO_SOLVER_TIMEOUT");
  expect(result.stderr).not.toMatch(/unexpected error|    at /u);
}

test("OPAM_MONOREPO_SOLVER_TIMEOUT=1 stops the search with SOLVER_TIMEOUT", async () => {
  expectTimeout(await runCli(["lock"], { cwd: dir, env: { OPAM_MONOREPO_SOLVER_TIMEOUT: "1" } }), 1);
  expect(existsSync(path.join(dir, "app.opam.locked"))).toBe(false);
}, 120_000);

test("--solver-timeout 1 wins over the environment", async () => {
  expectTimeout(await runCli(["lock", "--solver-timeout", "1"], { cwd: dir, env: { OPAM_MONOREPO_SOLVER_TIMEOUT: "600" } }), 1);
}, 120_000);

test("a limit that is not a number of seconds is refused", async () => {
  const result = await runCli(["lock", "--solver-timeout", "soon"], { cwd: dir });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('option --solver-timeout: expected a number of seconds (0 for no limit), got "soon"');
}, 120_000);
