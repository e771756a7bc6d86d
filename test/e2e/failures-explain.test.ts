// Issue 12 item 1 on the real snapshots: a project shaped like ocaml-cohttp (several local opam
// files; cohttp-eio needs eio, whose versions need OCaml 5; http has a with-test dependency on
// ppx_expect >= v0.17.0, which needs OCaml >= 5.1) locked with --ocaml-version 4.14.2. Before: 240
// lines whose hint blamed ocaml-compiler.5.5.0. Now: the causes first, in at most 25 lines, with
// the --build-only and lock-fewer-packages hints; the solver's explanation with -v.
import { mkdir, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { realSnapshotDirs } from "../helpers/real-dirs.js";
import { removeTestdir, testdir } from "../helpers/testdir.js";

const dirs = realSnapshotDirs();
if (dirs === undefined) console.log("failures-explain: skipped, ../shared/data (the opam repository snapshots) is absent");
const suite = dirs === undefined ? describe.skip : describe;

const GLOBALS = 'x-opam-monorepo-global-opam-vars: [["arch" "x86_64"] ["os" "linux"] ["os-family" "debian"] ["os-distribution" "debian"] ["os-version" "12"] ["opam-version" "2.3.0"]]';
const opam = (depends: string[]) =>
  `opam-version: "2.0"\ndepends: [\n${depends.map((d) => `  ${d}`).join("\n")}\n]\n` +
  `x-opam-monorepo-opam-repositories: ["file://${dirs?.overlays}" "file://${dirs?.repository}"]\n${GLOBALS}\n`;

const PROJECT: Record<string, string> = {
  "dune-project": "(lang dune 3.8)\n(name cohttp)\n",
  "http.opam": opam(['"dune" {>= "3.8"}', '"ocaml" {>= "4.08"}', '"ppx_expect" {with-test & >= "v0.17.0"}', '"alcotest" {with-test}']),
  "cohttp.opam": opam(['"dune" {>= "3.8"}', '"ocaml" {>= "4.08"}', '"http" {= version}', '"uri" {>= "2.0.0"}', '"stringext"', '"base64" {>= "3.1.0"}']),
  "cohttp-lwt-unix.opam": opam(['"dune" {>= "3.8"}', '"ocaml" {>= "4.08"}', '"cohttp" {= version}', '"lwt" {>= "5.4.0"}', '"logs"', '"fmt" {>= "0.8.2"}']),
  "cohttp-eio.opam": opam(['"dune" {>= "3.8"}', '"ocaml" {>= "4.08"}', '"cohttp" {= version}', '"eio" {>= "0.12"}', '"ptime"']),
};

let home: string;
let dir: string;
const lock = (args: string[]) => runCli(["lock", ...args], { cwd: dir, home });

suite("lock failures on real repositories lead with the cause", () => {
  beforeAll(async () => {
    home = await testdir({}, "om-explain-");
    dir = path.join(home, "cohttp");
    for (const [name, text] of Object.entries(PROJECT)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), text);
    }
  });
  afterAll(async () => removeTestdir(home));

  it("cohttp-like, --ocaml-version 4.14.2: eio and the with-test ppx_expect named with their bounds, ≤ 25 lines", async () => {
    const result = await lock(["--ocaml-version", "4.14.2"]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines.length, result.stderr).toBeLessThanOrEqual(25);
    expect(lines[0]).toBe(
      "opam-monorepo: [ERROR] No solution for 2 of the 4 local packages (cohttp-eio, http): direct dependencies have no usable version, excluded by the requested ocaml = 4.14.2:",
    );
    expect(result.stderr).toMatch(/\n- cohttp-eio needs eio >= 0\.12, which needs ocaml >= 5\.[0-9.]+ \(eio [^)]*\)\n/);
    expect(result.stderr).toMatch(/\n- http needs ppx_expect >= v0\.17\.0 \(with-test\), which needs ocaml >= 5\.1\.0 \(ppx_expect v0\.17\.0 to [^)]*\)\n/);
    expect(result.stderr).toMatch(/\nHint: only with-test dependencies are in the way of http: `--build-only` leaves them out\n/);
    expect(result.stderr).toMatch(/\nlock fewer local packages: `opam-monorepo lock cohttp cohttp-lwt-unix` /);
    expect(result.stderr).not.toMatch(/ocaml-variants|base-effects|ocaml-compiler\.5|Rejected candidates|\n\s+at /);
    expect(existsSync(path.join(dir, "cohttp.opam.locked"))).toBe(false);

    const verbose = await lock(["--ocaml-version", "4.14.2", "-v"]);
    expect(verbose.stderr.split("\n").length).toBeGreaterThan(lines.length);
    expect(verbose.stderr).toMatch(/Rejected candidates:/);
  });

  it("with --build-only only cohttp-eio is left, and locking the others succeeds", async () => {
    const result = await lock(["--ocaml-version", "4.14.2", "--build-only"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^opam-monorepo: \[ERROR\] No solution for 1 of the 4 local packages \(cohttp-eio\)/);
    expect(result.stderr).not.toMatch(/--build-only/);
    expect(result.stderr).toMatch(/`opam-monorepo lock cohttp cohttp-lwt-unix http`/);
    const fewer = await lock(["cohttp", "cohttp-lwt-unix", "http", "--ocaml-version", "4.14.2", "--build-only"]);
    expect(fewer.code, fewer.stderr).toBe(0);
  });
});
