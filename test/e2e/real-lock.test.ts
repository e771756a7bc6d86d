// `lock` on real requests against the shared opam snapshots (used directly as .tar.gz
// repositories, overlays first): a MirageOS unikernel for hvt, a dream web service and a library
// with many dependencies, each solution checked by test/helpers/lock-check.ts; and real failures
// explained. One index cache (XDG_CACHE_HOME) is shared by the file's tests.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { checkLock, readLock, snapshotRepository, type CheckedRepository } from "../helpers/lock-check.js";
import { sharedDataDir } from "../helpers/real-data.js";
import { removeTestdir, testdir } from "../helpers/testdir.js";
import { TEST_CLI } from "./lock-world.js";

const data = sharedDataDir();
if (data === undefined) console.log("real-lock: skipped, ../shared/data (the opam repository snapshots) is absent");
const suite = data === undefined ? describe.skip : describe;

const GLOBALS = { arch: "x86_64", os: "linux", "os-family": "debian", "os-distribution": "debian", "os-version": "12", "opam-version": "2.3.0" };
const GLOBALS_FIELD = `x-opam-monorepo-global-opam-vars: [${Object.entries(GLOBALS).map(([n, v]) => `["${n}" "${v}"]`).join(" ")}]`;
const snapshotUrl = (name: string) => `file://${data}/${name}.tar.gz`;
const repositoriesField = (names: string[]) => `x-opam-monorepo-opam-repositories: [${names.map((n) => `"${snapshotUrl(n)}"`).join(" ")}]`;

let home: string;
let repos: Record<string, CheckedRepository>;

suite("lock on real opam repositories", () => {
  beforeAll(async () => {
    home = await testdir({}, "om-real-lock-");
    repos = {
      "mirage-opam-overlays": snapshotRepository("mirage-opam-overlays", true),
      "opam-overlays": snapshotRepository("opam-overlays", true),
      "opam-repository": snapshotRepository("opam-repository", false),
    };
  });
  afterAll(async () => removeTestdir(home));

  async function lockProject(name: string, files: Record<string, string>, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ dir: string; result: CliResult }> {
    const dir = path.join(home, name);
    for (const [relative, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
      await writeFile(path.join(dir, relative), content);
    }
    const result = await runCli(["lock", ...args], { cwd: dir, home, env, executable: TEST_CLI });
    return { dir, result };
  }

  function check(lockText: string, options: { repos: string[]; local: { name: string; text: string }; opamProvided?: string[]; crossCompile?: boolean; ocamlVersion?: string; buildOnly?: boolean; monorepo?: boolean }) {
    const problems = checkLock({
      lockText,
      repositories: options.repos.map((n) => repos[n]!),
      globals: { ...GLOBALS, ...(options.monorepo ? { monorepo: "opam-monorepo" } : {}) },
      locals: [{ ...options.local, version: "zdev", target: true }],
      buildOnly: options.buildOnly ?? false,
      requireCrossCompile: options.crossCompile ?? false,
      opamProvided: options.opamProvided ?? [],
      ocamlVersion: options.ocamlVersion,
    });
    expect(problems).toEqual([]);
  }

  it("a MirageOS unikernel for hvt: --require-cross-compile --build-only, {?monorepo} deps, switch tools opam-provided", async () => {
    const order = ["mirage-opam-overlays", "opam-overlays", "opam-repository"];
    const provided = ["mirage", "ocaml-solo5", "opam-monorepo", "solo5"];
    const text = [
      'opam-version: "2.0"',
      'synopsis: "Unikernel hello - switch dependencies"',
      'build: [make "build"]',
      "depends: [",
      ...["cmdliner-stdlib", "dns-client-mirage", "duration", "lwt", "mirage-bootvar", "mirage-crypto-rng-mirage", "mirage-logs", "mirage-mtime", "mirage-ptime", "mirage-sleep", "tcpip"].map((p) => `  "${p}" { ?monorepo }`),
      '  "mirage-runtime" { ?monorepo & >= "4.11.0" & < "4.12.0" }',
      '  "mirage-solo5" { ?monorepo & >= "0.10.0" & < "0.11.0" }',
      '  "mirage" { build & >= "4.11.0" & < "4.12.0" }',
      '  "ocaml-solo5" { build & >= "0.8.2" & < "2.0.0" }',
      '  "opam-monorepo" { build & >= "0.3.2" }',
      '  "solo5" { build & >= "0.7.5" & < "0.13.0" }',
      "]",
      `x-opam-monorepo-opam-provided: [${provided.map((p) => `"${p}"`).join(" ")}]`,
      repositoriesField(order),
      GLOBALS_FIELD,
      "",
    ].join("\n");
    const args = ["--require-cross-compile", "--build-only", "hello", "-l", "mirage/hello.opam.locked", "--ocaml-version", "4.14.2"];
    const { dir, result } = await lockProject("mirage", { "mirage/hello.opam": text, "dune-project": "(lang dune 2.9)\n" }, args, { OPAMVAR_monorepo: "opam-monorepo" });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lockText = await readFile(path.join(dir, "mirage", "hello.opam.locked"), "utf8");
    check(lockText, { repos: order, local: { name: "hello", text }, opamProvided: provided, crossCompile: true, ocamlVersion: "4.14.2", buildOnly: true, monorepo: true });
    const depends = new Map(readLock(lockText).depends.map((d) => [d.name, d]));
    for (const name of ["lwt", "mirage-runtime", "mirage-solo5", "tcpip", "dns-client-mirage", "mirage-crypto-rng-mirage"]) expect(depends.get(name)?.vendor, name).toBe(true);
    for (const name of provided) expect(depends.get(name)?.vendor, name).toBe(false);
    // The mirage overlay's cross-compiling zarith wins over the newer upstream and dune ports.
    expect(depends.get("zarith")?.version).toMatch(/\+dune\+mirage/);
    expect(depends.get("dune")?.vendor).toBe(false);
    // Without OPAMVAR_monorepo the {?monorepo} dependencies are not part of the request.
    const plain = await lockProject("mirage", {}, [...args.slice(0, 3), "-l", "mirage/plain.opam.locked", "--ocaml-version", "4.14.2"]);
    expect(plain.result.code).toBe(0);
    const plainDepends = readLock(await readFile(path.join(dir, "mirage", "plain.opam.locked"), "utf8")).depends;
    expect(plainDepends.filter((d) => d.vendor)).toEqual([]);
    expect(plainDepends.some((d) => d.name === "tcpip")).toBe(false);
  });

  it("a web service on dream", async () => {
    const order = ["opam-overlays", "opam-repository"];
    const text = `opam-version: "2.0"\ndepends: [\n  "ocaml" {>= "4.14"}\n  "dune" {>= "3.0"}\n  "dream"\n  "alcotest" {with-test}\n]\n${repositoriesField(order)}\n${GLOBALS_FIELD}\n`;
    const { dir, result } = await lockProject("dream", { "service.opam": text }, []);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lockText = await readFile(path.join(dir, "service.opam.locked"), "utf8");
    check(lockText, { repos: order, local: { name: "service", text } });
    const depends = new Map(readLock(lockText).depends.map((d) => [d.name, d]));
    expect(depends.get("dream")?.vendor).toBe(true);
    expect(depends.get("alcotest")?.vendor).toBe(true);

    // The checker is not a rubber stamp: broken variants of this lock file are caught.
    const options = { repos: order, local: { name: "service", text } };
    const problemsOf = (broken: string) => checkLock({ lockText: broken, repositories: order.map((n) => repos[n]!), globals: GLOBALS, locals: [{ ...options.local, version: "zdev", target: true }], buildOnly: false, requireCrossCompile: false, opamProvided: [] });
    const dream = depends.get("dream")!;
    const ocaml = depends.get("ocaml")!;
    expect(problemsOf(lockText.replace(`"ocaml" {= "${ocaml.version}"}`, '"ocaml" {= "4.08.1"}')).join("\n")).toMatch(/depends not satisfied|conflicts|not available/);
    expect(problemsOf(lockText.replace(/"dune" \{= "([^"]+)"\}/, '"dune" {= "$1" & ?vendor}')).join("\n")).toMatch(/dune\.[^ ]+ is vendored but is the compiler/);
    expect(problemsOf(lockText.replace(/\n {2}"alcotest" \{[^\n]*\}/, "")).join("\n")).toMatch(/service\.zdev: depends not satisfied: alcotest/);
    expect(problemsOf(lockText.replace(`"dream" {= "${dream.version}" & ?vendor}`, `"dream" {= "${dream.version}"}`)).join("\n")).toMatch(/dream\.[^ ]+ is not vendored/);
    expect(problemsOf(lockText.replace(/("https:[^"]+"\s+)"dream"/, '$1"other"')).join("\n")).toMatch(/directory other/);
  });

  it("libraries with many dependencies: irmin, cohttp-lwt-unix and ocaml-lsp-server together", async () => {
    const order = ["opam-overlays", "opam-repository"];
    const text = `opam-version: "2.0"\ndepends: [\n  "dune"\n  "irmin"\n  "cohttp-lwt-unix"\n  "ocaml-lsp-server"\n]\n${repositoriesField(order)}\n${GLOBALS_FIELD}\n`;
    const { dir, result } = await lockProject("big", { "big.opam": text }, ["--build-only"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lockText = await readFile(path.join(dir, "big.opam.locked"), "utf8");
    check(lockText, { repos: order, local: { name: "big", text }, buildOnly: true });
    expect(readLock(lockText).depends.length).toBeGreaterThan(60);
    // A second lock (warm index cache) writes the same bytes, from the records of versions the
    // first one kept beside the index files.
    const records = (await readdir(path.join(home, ".cache", "opam-monorepo", "index"))).filter((file) => file.endsWith(".offers-2"));
    expect(records.length).toBeGreaterThan(0);
    const again = await lockProject("big", {}, ["--build-only"]);
    expect(again.result.code).toBe(0);
    expect(await readFile(path.join(dir, "big.opam.locked"), "utf8")).toBe(lockText);
  });

  it("explains a package that does not build with dune and has no dune port, with the overlay hint", async () => {
    const order = ["opam-repository"];
    const text = `opam-version: "2.0"\ndepends: [\n  "dune"\n  "ocamlfind"\n]\n${repositoriesField(order)}\n${GLOBALS_FIELD}\n`;
    const { dir, result } = await lockProject("not-dune", { "app.opam": text }, []);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^opam-monorepo: \[ERROR\] Some dependencies cannot be built with dune!/);
    expect(result.stderr).toMatch(/- ocamlfind\n/);
    expect(result.stderr).toMatch(/opam repository add dune-universe git\+https:\/\/github\.com\/dune-universe\/opam-overlays\.git/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // With the overlays first, the dune port is used.
    const fixed = await lockProject("not-dune", {}, ["--add-opam-repositories", `[${snapshotUrl("opam-overlays")}]`]);
    expect(fixed.result.stderr).toBe("");
    expect(readLock(await readFile(path.join(dir, "app.opam.locked"), "utf8")).depends.find((d) => d.name === "ocamlfind")?.version).toMatch(/\+dune/);
  });

  it("explains an impossible --ocaml-version: the cause first in a screen; with -v the chain from the request and the rejected versions", async () => {
    const order = ["opam-overlays", "opam-repository"];
    const text = `opam-version: "2.0"\ndepends: [\n  "dune"\n  "lwt"\n]\n${repositoriesField(order)}\n${GLOBALS_FIELD}\n`;
    const { dir, result } = await lockProject("old-ocaml", { "app.opam": text }, ["--ocaml-version", "4.99.0"]);
    expect(result.code).toBe(1);
    // The cause first, in a screen (issue 12): app's dependencies need other OCaml versions.
    expect(result.stderr).toMatch(/^opam-monorepo: \[ERROR\] No solution for app: a direct dependency has no usable version, excluded by the requested ocaml = 4\.99\.0:\n- app needs (dune|lwt), which needs ocaml /);
    expect(result.stderr).toMatch(/Hint: no version of ocaml in the repositories matches = 4\.99\.0 \(--ocaml-version\); the newest is 5\./);
    expect(result.stderr).not.toMatch(/system-mingw|ocaml-variants|\n\s+at /);
    expect(result.stderr.trim().split("\n").length).toBeLessThanOrEqual(25);
    // -v adds the solver's explanation: the chain from the request and the rejected versions.
    const verbose = await lockProject("old-ocaml", {}, ["--ocaml-version", "4.99.0", "-v"]);
    expect(verbose.result.stderr).toMatch(/\n- ocaml\n\s+required by (lwt|dune) <- app\n/);
    expect(verbose.result.stderr).toMatch(/ocaml\.5\.[0-9.]+: Rejected by user-specified constraint = 4\.99\.0/);
    await expect(readFile(path.join(dir, "app.opam.locked"), "utf8")).rejects.toThrow();
  });
});
