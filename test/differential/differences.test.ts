// The README's documented differences from opam-monorepo 0.4.3 that the real snapshots do not
// show, each on a small synthetic repository: the lock files differ, and exactly there: the
// reference run on the neutralised input (the version ours avoids excluded, the shadowed
// repository left out) writes ours byte for byte. S1 and S2 are shown on real requests by
// test/differential/lock.test.ts.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeTestdir, testdir } from "../helpers/testdir.js";
import { firstDifference, runOurs, runReference, unavailableReason, withoutFields, type Project, type RunResult, type Sandbox } from "./harness.js";
import { FIXED_VARS_FIELD, localOpam, smallRepository } from "./world.js";

const reason = unavailableReason();
if (reason !== undefined) console.log(`differential differences: skipped, ${reason}`);
const suite = reason === undefined ? describe : describe.skip;

let sandbox: Sandbox;

const repositoriesField = (...dirs: string[]) => `x-opam-monorepo-opam-repositories: [${dirs.map((dir) => `"file://${dir}"`).join(" ")}]`;
const project = (depends: string[], dirs: string[]): Project => ({
  files: { "dune-project": "(lang dune 3.0)\n", "app.opam": localOpam(depends, [repositoriesField(...dirs), FIXED_VARS_FIELD]) },
  args: ["--ocaml-version", "4.14.2"],
  env: {},
  lockfile: "app.opam.locked",
});

async function three(name: string, original: Project, neutralised: Project): Promise<{ reference: RunResult; ours: RunResult; neutral: RunResult }> {
  const reference = await runReference(path.join(sandbox.dir, name, "reference"), original);
  const ours = await runOurs(path.join(sandbox.dir, name, "ours"), original, sandbox);
  const neutral = await runReference(path.join(sandbox.dir, name, "neutral"), neutralised);
  for (const result of [reference, ours, neutral]) expect(result.code, result.stderr).toBe(0);
  return { reference, ours, neutral };
}

suite("documented differences appear exactly where documented", () => {
  beforeAll(async () => {
    const dir = await testdir({}, "om-diff-differences-");
    sandbox = { dir, home: path.join(dir, "home") };
  });
  afterAll(async () => removeTestdir(sandbox.dir));

  it("S3: a package's own conflicts are kept (the reference drops them)", async () => {
    const repo = smallRepository().pkg("e", "1.0", {
      depends: ['"dune"', '"a"'],
      conflicts: ['"a" {>= "2.0"}'],
      devRepo: "git+https://example.com/e.git",
      url: "https://example.com/e-1.0.tbz",
      checksum: [`sha256=${"e".repeat(64)}`],
      extra: 'build: ["dune" "build"]',
    });
    const dir = await repo.writeTo(path.join(sandbox.dir, "s3-repository"));
    const { reference, ours, neutral } = await three("s3", project(['"e"'], [dir]), project(['"e"', '"a" {< "2.0"}'], [dir]));
    expect(reference.lock).toContain('"a" {= "2.0" & ?vendor}');
    expect(ours.lock).toContain('"a" {= "1.0" & ?vendor}');
    expect(ours.lock, firstDifference(neutral.lock!, ours.lock!)).toBe(neutral.lock);
  });

  it("S4: a version flagged deprecated is avoided as opam 2.2+ avoids it (the reference demotes only avoid-version)", async () => {
    const repo = smallRepository().pkg("a", "3.0", {
      depends: ['"dune"'],
      flags: ["deprecated"],
      devRepo: "git+https://example.com/a.git",
      url: "https://example.com/a-3.0.tbz",
      checksum: [`sha256=${"a".repeat(64)}`],
      extra: 'build: ["dune" "build"]',
    });
    const dir = await repo.writeTo(path.join(sandbox.dir, "s4-repository"));
    const { reference, ours, neutral } = await three("s4", project(['"b"'], [dir]), project(['"b"', '"a" {!= "3.0"}'], [dir]));
    expect(reference.lock).toContain('"a" {= "3.0" & ?vendor}');
    expect(ours.lock).toContain('"a" {= "2.0" & ?vendor}');
    expect(ours.lock, firstDifference(neutral.lock!, ours.lock!)).toBe(neutral.lock);
  });

  it("S5: explicit repositories keep declaration order as priority (first listed wins)", async () => {
    const main = await smallRepository().writeTo(path.join(sandbox.dir, "s5-main"));
    const overlay = await smallRepository()
      .pkg("c", "1.0", { depends: ['"dune"'], devRepo: "git+https://example.com/c-port.git", url: "https://example.com/c-port-1.0.tbz", checksum: [`sha256=${"c".repeat(64)}`], extra: 'build: ["dune" "build"]' })
      .writeTo(path.join(sandbox.dir, "s5-zz-overlay"));
    // The overlay listed first: its c.1.0 wins for ours; without the main repository the reference agrees.
    const { reference, ours, neutral } = await three("s5", project(['"c"'], [overlay, main]), project(['"c"'], [overlay]));
    expect(ours.lock).toContain("https://example.com/c-port-1.0.tbz");
    expect(reference.lock).not.toContain("https://example.com/c-port-1.0.tbz");
    const strip = ["x-opam-monorepo-opam-repositories"];
    expect(withoutFields(ours.lock!, strip), firstDifference(neutral.lock!, ours.lock!)).toBe(withoutFields(neutral.lock!, strip));
  });
});
