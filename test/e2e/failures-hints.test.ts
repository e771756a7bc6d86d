// Issue 12 item 6: hints that fit the user. The overlay hint knows an overlay given as a directory
// (and mentions --add-opam-provided); no opam file at the root points at the ones in subdirectories;
// a dune-project without a name gets the exact `-l NAME.opam.locked`; the compiler-mismatch warning
// without an opam switch says to lock for the installed compiler; hints name `opam monorepo` when
// opam runs us as its plugin.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { copyFixtures, removeTempDirs, show, type FixtureCopy } from "./plugin-world.js";
import { dunePkg, localOpam, opamRepo, REPOS_FIELD, world } from "./lock-world.js";

const notDune = () => opamRepo().pkg("nd", "1", { url: "https://nd.com/nd.tbz", checksum: [`sha256=${"1".repeat(64)}`], extra: 'build: ["make"]' });
const PLUGIN_ENV = { OPAMSWITCH: "default", OPAMNOENVNOTICE: "true" };

describe("lock hints", () => {
  it("not building with dune: the overlay hint depends on whether an overlay (a directory named opam-overlays) is used", async () => {
    const without = await world({ "x.opam": localOpam(['"dune"', '"nd"'], [REPOS_FIELD("minimal-repo", "repo")]) }, { repo: notDune() });
    const plain = await without.lock();
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/It doesn't appear to be set up/);
    expect(plain.stderr).toMatch(/`opam-monorepo lock --add-opam-provided '\[nd\]'`/);
    const withOverlay = await world(
      { "x.opam": localOpam(['"dune"', '"nd"'], [REPOS_FIELD("opam-overlays", "minimal-repo", "repo")]) },
      { repo: notDune(), "opam-overlays": opamRepo().pkg("other", "1", dunePkg("other")) },
    );
    const overlaid = await withOverlay.lock();
    expect(overlaid.code).toBe(1);
    expect(overlaid.stderr).not.toMatch(/doesn't appear to be set up/);
    expect(overlaid.stderr).toMatch(/it appears to already be set up/);
    expect(overlaid.stderr).toMatch(/--add-opam-provided/);
  });

  it("no opam file at the root: the ones in subdirectories are named, with the command to lock them", async () => {
    const w = await world({ "mirage/unipi-hvt.opam": localOpam(['"dune"']) });
    const result = await w.lock();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\[ERROR\] Cannot find any packages to vendor\./);
    expect(result.stderr).toMatch(/Hint: there are opam files in subdirectories \(.*mirage\/unipi-hvt\.opam\): lock one with `opam-monorepo lock unipi-hvt`, or all of them with `opam-monorepo lock --recurse-opam`\n/);
    const plugin = await w.lock([], { ...PLUGIN_ENV, OPAMROOT: path.join(w.dir, ".opam") });
    expect(plugin.stderr).toMatch(/`opam monorepo lock unipi-hvt`/);
  });

  it("a dune-project without a name: the exact -l to pass", async () => {
    const w = await world({ "a.opam": localOpam(['"dune"']), "b.opam": localOpam(['"dune"']), "dune-project": "(lang dune 3.0)\n" });
    const result = await w.lock();
    expect(result.code).toBe(1);
    const name = path.basename(w.dir);
    expect(result.stderr).toContain(`Hint: \`opam-monorepo lock -l ${name}.opam.locked\`, or add \`(name ${name})\` to dune-project\n`);
  });
});

describe("pull: the compiler-mismatch warning", () => {
  let copy: FixtureCopy;
  let bin: string;
  afterAll(removeTempDirs);
  beforeAll(async () => {
    copy = await copyFixtures("om-hints-");
    bin = path.join(copy.dir, "fake-bin");
    mkdirSync(bin);
    // An older system compiler than the lock's 4.13.1.
    writeFileSync(path.join(bin, "ocamlc"), "#!/bin/sh\necho 4.02.3\n");
    chmodSync(path.join(bin, "ocamlc"), 0o755);
    const lock = await runCli(["lock", "--ocaml-version", "4.13.1"], { cwd: copy.example, home: copy.dir });
    expect(lock.code, show(lock)).toBe(0);
  });

  const pull = (env: NodeJS.ProcessEnv) =>
    runCli(["pull", "--archive-mirror", path.join(copy.fixtures, "mirror"), "--offline", "-y"], { cwd: copy.example, home: copy.dir, env: { PATH: `${bin}:${process.env.PATH}`, ...env } });

  it("without an opam switch: lock for the installed compiler; in a switch: opam install", async () => {
    const system = await pull({});
    expect(system.code, show(system)).toBe(0);
    expect(system.stderr).toContain('4.13.1 in lockfile, yet 4.02.3 in PATH.\nNo opam switch is active, so this ocamlc is the system\'s: lock for it instead:\nopam-monorepo lock --ocaml-version "$(ocamlc -version)"\n');
    const switched = await pull({ OPAM_SWITCH_PREFIX: path.join(copy.dir, ".opam", "default") });
    expect(switched.stderr).toContain("yet 4.02.3 in switch.\nYou might want to change the compiler version of your switch accordingly:\nopam install ocaml.4.13.1 --update-invariant\n");
  });

  it("a lock file that cannot be read fails the pull before ocamlc runs", async () => {
    const marked = path.join(copy.dir, "marked-bin");
    mkdirSync(marked);
    writeFileSync(path.join(marked, "ocamlc"), `#!/bin/sh\ntouch "${path.join(copy.dir, "ocamlc-ran")}"\necho 4.13.1\n`);
    chmodSync(path.join(marked, "ocamlc"), 0o755);
    const bad = path.join(copy.dir, "bad.opam.locked");
    writeFileSync(bad, 'opam-version: "2.0"\ndepends: [\n');
    const result = await runCli(["pull", "-l", bad], { cwd: copy.example, home: copy.dir, env: { PATH: `${marked}:${process.env.PATH}` } });
    expect(result.code, show(result)).toBe(1);
    expect(result.stderr).toContain("bad.opam.locked");
    expect(existsSync(path.join(copy.dir, "ocamlc-ran"))).toBe(false);
  });
});
