// `tree`, `sbom` and `outdated` on a real lock: a library depending on cmdliner, fmt, logs and
// yojson locked against the shared opam snapshots (extracted as directories, overlays first).
// One project and one index cache (XDG_CACHE_HOME) for the whole file.
import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { readLock } from "../helpers/lock-check.js";
import { cyclonedxValidator, schemaErrors, spdxProblems } from "../helpers/sbom-schemas.js";
import { realSnapshotDirs } from "../helpers/real-dirs.js";
import { removeTestdir, testdir } from "../helpers/testdir.js";
import { TEST_CLI } from "./lock-world.js";

const dirs = realSnapshotDirs();
if (dirs === undefined) console.log("real-inspect: skipped, ../shared/data (the opam repository snapshots) is absent");
const suite = dirs === undefined ? describe.skip : describe;

const GLOBALS = { arch: "x86_64", os: "linux", "os-family": "debian", "os-distribution": "debian", "os-version": "12", "opam-version": "2.3.0" };

function projectOpam(): string {
  const repositories = [dirs!.overlays, dirs!.repository].map((dir) => `"file://${dir}"`).join(" ");
  return [
    'opam-version: "2.0"',
    'synopsis: "A command-line tool on real libraries"',
    'license: "MIT"',
    "depends: [",
    '  "ocaml" {>= "4.14"}',
    '  "dune" {>= "3.0"}',
    '  "cmdliner" {>= "1.1"}',
    '  "fmt"',
    '  "logs"',
    '  "yojson"',
    "]",
    `x-opam-monorepo-opam-repositories: [${repositories}]`,
    `x-opam-monorepo-global-opam-vars: [${Object.entries(GLOBALS).map(([n, v]) => `["${n}" "${v}"]`).join(" ")}]`,
    "",
  ].join("\n");
}

let home: string;
let dir: string;
let lockText: string;
const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => runCli(args, { cwd: dir, home, env, executable: TEST_CLI });
const show = (result: CliResult) => `exit ${result.code}\n${result.stderr}`;

suite("tree, sbom and outdated on a real lock", () => {
  beforeAll(async () => {
    home = await testdir({}, "om-real-inspect-");
    dir = path.join(home, "tool");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "tool.opam"), projectOpam());
    const lock = await cli(["lock"]);
    expect(lock.code, show(lock)).toBe(0);
    lockText = await readFile(path.join(dir, "tool.opam.locked"), "utf8");
  }, 600_000);
  afterAll(async () => removeTestdir(home));

  it("tree: every locked package is in the tree, reached from the root package", async () => {
    const result = await cli(["tree", "--json"]);
    expect(result.code, show(result)).toBe(0);
    const json = JSON.parse(result.stdout) as { roots: string[]; tree: unknown[]; packages: { name: string; version: string; dependencies: { name: string }[] }[] };
    const locked = readLock(lockText).depends;
    expect(json.roots[0]).toBe("tool");
    const shown = new Map(json.packages.map((pkg) => [pkg.name, pkg.version]));
    for (const dependency of locked) expect(shown.get(dependency.name), dependency.name).toBe(dependency.version);
    const seen = new Set<string>();
    const visit = (node: { name: string; dependencies: unknown[] }) => {
      seen.add(node.name);
      node.dependencies.forEach((child) => visit(child as { name: string; dependencies: unknown[] }));
    };
    (json.tree as { name: string; dependencies: unknown[] }[]).forEach(visit);
    for (const dependency of locked) expect(seen.has(dependency.name), dependency.name).toBe(true);
    const tool = json.packages.find((pkg) => pkg.name === "tool")!;
    expect(tool.dependencies.map((d) => d.name)).toEqual(["cmdliner", "dune", "fmt", "logs", "ocaml", "yojson"]);
    const text = await cli(["tree", "--depth", "1"]);
    expect(text.stdout.split("\n")[0]).toBe("tool zdev (local)");
    expect(text.stdout).toMatch(/^├── cmdliner \S+\n/m);
  }, 120_000);

  it("tree: --invert dune lists packages building with dune, and the DOT renders", async () => {
    const invert = await cli(["tree", "--invert", "dune", "--depth", "1"]);
    expect(invert.code, show(invert)).toBe(0);
    expect(invert.stdout).toMatch(/^dune \S+ \(opam\)\n/);
    expect(invert.stdout).toMatch(/── fmt \S+\n/);
    const dot = await cli(["tree", "--format", "dot"]);
    expect(dot.code, show(dot)).toBe(0);
    try {
      execFileSync("dot", ["-V"], { stdio: "ignore" });
    } catch {
      return;
    }
    expect(execFileSync("dot", ["-Tsvg"], { input: dot.stdout, encoding: "utf8" })).toContain("<title>tool&#45;&gt;cmdliner</title>");
  }, 120_000);

  it("sbom: CycloneDX valid against the official schema, every locked package with its purl, licence and hashes", async () => {
    const result = await cli(["sbom"], { SOURCE_DATE_EPOCH: "1700000000" });
    expect(result.code, show(result)).toBe(0);
    const bom = JSON.parse(result.stdout) as { components: { name: string; purl: string; licenses?: unknown[]; hashes?: unknown[]; properties: { value: string }[] }[]; dependencies: { ref: string; dependsOn: string[] }[] };
    expect(schemaErrors(cyclonedxValidator(), bom)).toEqual([]);
    const locked = readLock(lockText);
    const components = new Map(bom.components.map((c) => [c.name, c]));
    for (const dependency of locked.depends) {
      const component = components.get(dependency.name);
      expect(component?.purl, dependency.name).toBe(`pkg:opam/${encodeURIComponent(dependency.name)}@${encodeURIComponent(dependency.version)}`);
      if (dependency.vendor) expect(component?.hashes?.length, `${dependency.name} hashes`).toBeGreaterThan(0);
    }
    // Every package of opam-repository but the base-* markers declares a licence.
    const unlicensed = bom.components.filter((c) => c.licenses === undefined).map((c) => c.name);
    expect(unlicensed.filter((name) => !name.startsWith("base-"))).toEqual([]);
    const cmdliner = bom.dependencies.find((d) => d.ref.startsWith("pkg:opam/cmdliner@"));
    expect(cmdliner).toBeDefined();
  }, 120_000);

  it("sbom: SPDX 2.3 follows the specification's rules for every package", async () => {
    const result = await cli(["sbom", "--format", "spdx"], { SOURCE_DATE_EPOCH: "1700000000" });
    expect(result.code, show(result)).toBe(0);
    const doc = JSON.parse(result.stdout) as { packages: { name: string }[] };
    expect(spdxProblems(doc)).toEqual([]);
    expect(doc.packages.length).toBe(readLock(lockText).depends.length + 1);
  }, 120_000);
});
