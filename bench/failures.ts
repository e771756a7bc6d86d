// Measure (issue 12 item 1): for each failing `lock` request of the real-data tests, the default
// error's length in lines and whether its first three lines name the true cause. Runs the built
// CLI (and, when BASELINE_CLI names another build's bin/opam-monorepo, that one in the same run,
// interleaved). Never run by npm test: `npm run bench:failures`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { projectRoot, sharedDataDir } from "../test/helpers/real-data.js";
import { realSnapshotDirs } from "../test/helpers/real-dirs.js";

interface Request {
  name: string;
  files: Record<string, string>;
  args: string[];
  /** Each must match one of the first three stderr lines: the true causes. */
  causes: RegExp[];
}

const GLOBALS = 'x-opam-monorepo-global-opam-vars: [["arch" "x86_64"] ["os" "linux"] ["os-family" "debian"] ["os-distribution" "debian"] ["os-version" "12"] ["opam-version" "2.3.0"]]';

function requests(repos: string[]): Request[] {
  const opam = (depends: string[]) =>
    `opam-version: "2.0"\ndepends: [\n${depends.map((d) => `  ${d}`).join("\n")}\n]\nx-opam-monorepo-opam-repositories: [${repos.map((r) => `"file://${r}"`).join(" ")}]\n${GLOBALS}\n`;
  const cohttp = {
    "dune-project": "(lang dune 3.8)\n(name cohttp)\n",
    "http.opam": opam(['"dune" {>= "3.8"}', '"ocaml" {>= "4.08"}', '"ppx_expect" {with-test & >= "v0.17.0"}', '"alcotest" {with-test}']),
    "cohttp.opam": opam(['"dune" {>= "3.8"}', '"ocaml" {>= "4.08"}', '"http" {= version}', '"uri" {>= "2.0.0"}', '"stringext"']),
    "cohttp-lwt-unix.opam": opam(['"dune" {>= "3.8"}', '"ocaml" {>= "4.08"}', '"cohttp" {= version}', '"lwt" {>= "5.4.0"}', '"logs"']),
    "cohttp-eio.opam": opam(['"dune" {>= "3.8"}', '"ocaml" {>= "4.08"}', '"cohttp" {= version}', '"eio" {>= "0.12"}']),
    "cohttp-async.opam": opam(['"dune" {>= "3.8"}', '"ocaml" {>= "4.14"}', '"cohttp" {= version}', '"async" {>= "v0.17.0"}']),
  };
  return [
    ...realCohttp(repos),
    { name: "cohttp-like --ocaml-version 4.14.2", files: cohttp, args: ["--ocaml-version", "4.14.2"], causes: [/cohttp-eio|eio/, /http|ppx_expect/, /async/] },
    { name: "cohttp-like --ocaml-version 4.14.2 --build-only", files: cohttp, args: ["--ocaml-version", "4.14.2", "--build-only"], causes: [/eio/, /async/] },
    { name: "impossible --ocaml-version 4.99.0 (dune, lwt)", files: { "app.opam": opam(['"dune"', '"lwt"']) }, args: ["--ocaml-version", "4.99.0"], causes: [/4\.99\.0/] },
    { name: "an unknown dependency", files: { "app.opam": opam(['"dune"', '"no-such-package" {>= "1.0"}']) }, args: [], causes: [/no-such-package/] },
    { name: "a dependency bound no version meets", files: { "app.opam": opam(['"dune"', '"lwt" {>= "99"}']) }, args: [], causes: [/lwt >= 99/] },
  ];
}

/** ocaml-cohttp 6.1.0's own opam files (from the snapshot, url sections dropped) as the local project: the issue's case. */
function realCohttp(repos: string[]): Request[] {
  const names = ["http", "cohttp", "cohttp-lwt", "cohttp-lwt-unix", "cohttp-eio", "cohttp-async", "cohttp-top", "cohttp-curl", "cohttp-curl-lwt", "cohttp-curl-async", "cohttp-server-lwt-unix", "cohttp-lwt-jsoo", "cohttp-mirage", "cohttp-bench"];
  const files: Record<string, string> = { "dune-project": "(lang dune 3.8)\n(name cohttp)\n" };
  for (const name of names) {
    const file = path.join(repos[1]!, "packages", name, `${name}.6.1.0`, "opam");
    if (!existsSync(file)) return [];
    const text = readFileSync(file, "utf8").replace(/^url \{[\s\S]*$/m, "");
    files[`${name}.opam`] = `${text}x-opam-monorepo-opam-repositories: [${repos.map((r) => `"file://${r}"`).join(" ")}]\n${GLOBALS}\n`;
  }
  return [{ name: "ocaml-cohttp 6.1.0 --ocaml-version 4.14.2 (the issue's case)", files, args: ["--ocaml-version", "4.14.2"], causes: [/eio/, /async/, /http|ppx_expect/] }];
}

function runOnce(cli: string, dir: string, home: string, args: string[]): { lines: number; head: string[]; code: number | null } {
  const env = { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: path.join(home, ".cache"), OPAMROOT: path.join(home, ".opam"), NO_COLOR: "1" };
  const result = spawnSync(process.execPath, [cli, "lock", ...args], { cwd: dir, env, encoding: "utf8" });
  const lines = result.stderr.trimEnd().split("\n");
  return { lines: lines.length, head: lines.slice(0, 3), code: result.status };
}

function main(): void {
  const dirs = realSnapshotDirs();
  if (sharedDataDir() === undefined || dirs === undefined) {
    console.log("bench:failures: skipped, ../shared/data is absent");
    return;
  }
  const clis: [string, string][] = [["this build", path.join(projectRoot(), "bin", "opam-monorepo")]];
  if (process.env.BASELINE_CLI) clis.push(["baseline", process.env.BASELINE_CLI]);
  const home = mkdtempSync(path.join(os.tmpdir(), "om-bench-failures-"));
  try {
    console.log("request | build | exit | stderr lines | first 3 lines name the cause");
    for (const request of requests([dirs.overlays, dirs.repository])) {
      const dir = path.join(home, request.name.replace(/[^a-z0-9]+/gi, "-"));
      for (const [file, text] of Object.entries(request.files)) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), text);
      }
      for (const [label, cli] of clis) {
        const run = runOnce(cli, dir, home, request.args);
        const named = request.causes.filter((cause) => run.head.some((line) => cause.test(line))).length;
        console.log(`${request.name} | ${label} | ${run.code} | ${run.lines} | ${named}/${request.causes.length}`);
      }
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

main();
