// The real repository snapshots (../shared/data) opened as repositories: counts, hand-checked
// versions and fields, cold/warm agreement with a direct parse, and overlay stacking.
import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { MemoryReporter } from "../core/reporter.js";
import { formulaNames } from "../opam/formula.js";
import { parseOpam } from "../opam/parser.js";
import { packageFromOpam } from "../opam/package.js";
import { readSnapshot, snapshotArchive, type SnapshotName } from "../../test/helpers/real-data.js";
import { testdir } from "../../test/helpers/testdir.js";
import { openArchive } from "./archive.js";
import { openDirectory } from "./directory.js";
import type { OpenDeps, Repository } from "./repository.js";
import { stackRepositories } from "./stack.js";

const archives = {
  repository: snapshotArchive("opam-repository"),
  overlays: snapshotArchive("opam-overlays"),
  mirage: snapshotArchive("mirage-opam-overlays"),
};
const present = Object.values(archives).every((file) => file !== undefined);
if (!present) console.log("repository real-data tests skipped: ../shared/data snapshots are absent");

const LWT = [
  "6.1.2", "6.1.1", "6.1.0", "6.0.0", "6.0.0~beta01", "6.0.0~alpha00", "5.10.1", "5.10.0", "5.9.2", "5.9.1", "5.9.0",
  "5.8.1", "5.8.0", "5.7.0", "5.6.1", "5.6.0", "5.5.0", "5.4.2", "5.4.1", "5.4.0", "5.3.0", "5.2.0", "5.1.2", "5.1.1",
  "5.1.0", "5.0.1", "5.0.0", "4.5.0", "4.4.0", "4.3.1", "4.3.0", "4.2.1-1", "4.2.1", "4.2.0",
];

describe.skipIf(!present)("real repository snapshots", () => {
  let deps: OpenDeps;
  let repository: Repository;
  let coldLines: string[];

  beforeAll(async () => {
    deps = { cacheDir: path.join(await testdir(), "cache") };
    const reporter = new MemoryReporter();
    repository = await openArchive({ path: archives.repository!, label: "opam-repository" }, { ...deps, reporter });
    coldLines = reporter.lines;
    await repository.flush();
  });

  it("opam-repository: 4,596 packages and 18,793 versions, every file parses", () => {
    expect(coldLines.join("\n")).toMatch(/reading every opam file/);
    const names = repository.packageNames();
    expect(names.length).toBe(4596);
    let versions = 0;
    for (const name of names) {
      for (const version of repository.versions(name)) {
        versions++;
        expect(repository.readOpam(name, version)?.version).toBe(version);
      }
    }
    expect(versions).toBe(18793);
  });

  it("opam-repository: lwt's versions newest first and ocaml.5.4.0's fields, cold and warm", async () => {
    const reporter = new MemoryReporter();
    const warm = await openArchive({ path: archives.repository!, label: "opam-repository" }, { ...deps, reporter });
    expect(reporter.lines).toEqual([]);
    for (const repo of [repository, warm]) {
      expect(repo.versions("lwt")).toEqual(LWT);
      const ocaml = repo.readOpam("ocaml", "5.4.0")!;
      expect(ocaml).toMatchObject({ name: "ocaml", version: "5.4.0", synopsis: "The OCaml compiler (virtual package)", flags: ["conf"], url: undefined });
      expect([...formulaNames(ocaml.depends)].sort()).toEqual([
        "dkml-base-compiler", "ocaml-base-compiler", "ocaml-config", "ocaml-env-mingw32", "ocaml-env-mingw64",
        "ocaml-env-msvc32", "ocaml-env-msvc64", "ocaml-system", "ocaml-variants",
      ]);
      expect(ocaml.xFields.get("x-revision")).toMatchObject({ kind: "string", value: "5" });
      expect(repo.readOpam("ocaml", "5.4.9")).toBeUndefined();
    }
  });

  it("opam-repository: cached packages equal a direct parse of the same files", async () => {
    const warm = await openArchive({ path: archives.repository!, label: "opam-repository" }, deps);
    const files = readSnapshot("opam-repository").filter((_, i) => i % 37 === 0);
    expect(files.length).toBeGreaterThan(400);
    for (const file of files) {
      const [, name, dir] = file.path.split("/") as [string, string, string];
      const version = dir.slice(name.length + 1);
      const direct = packageFromOpam(parseOpam(file.text, `${archives.repository}/opam-repository/${file.path}`), name, version);
      expect(warm.readOpam(name, version)).toEqual(direct);
    }
  });

  it("opam-overlays stacked over opam-repository: the overlay's +dune versions come first", async () => {
    const overlays = await openArchive({ path: archives.overlays!, label: "opam-overlays" }, deps);
    expect(overlays.packageNames().length).toBe(77);
    const stack = stackRepositories([overlays, repository]);
    expect(stack.versions("cmdliner")).toEqual([
      "2.1.1+dune", "2.1.1", "2.1.0+dune", "2.1.0", "2.0.0+dune", "2.0.0", "1.3.0+dune", "1.3.0",
      "1.2.0+dune", "1.1.1+dune", "1.1.0+dune", "1.0.4+dune", "1.0.4", "0.9.4",
    ]);
    expect(stack.versions("fmt").slice(0, 5)).toEqual(["0.11.0+dune", "0.11.0", "0.10.0", "0.9.0+dune", "0.9.0"]);
    expect(stack.providerOf("fmt", "0.11.0+dune")).toBe(overlays);
    expect(stack.providerOf("fmt", "0.11.0")).toBe(repository);
    expect(stack.readOpam("fmt", "0.11.0+dune")?.url?.src.raw).toMatch(/^https:\/\//);
    expect(stack.shadowed("fmt")).toEqual([]);
  });

  it("mirage-opam-overlays and opam-overlays as extracted directories give the archive's answers", async () => {
    const dir = await testdir();
    const extract = (name: SnapshotName) => {
      execFileSync("tar", ["xzf", snapshotArchive(name)!, "-C", dir]);
      return path.join(dir, name);
    };
    const mirage = await openDirectory({ path: extract("mirage-opam-overlays") }, deps);
    const overlaysDir = await openDirectory({ path: extract("opam-overlays") }, deps);
    const overlaysArchive = await openArchive({ path: archives.overlays! }, deps);
    const stack = stackRepositories([mirage, overlaysDir, repository]);
    expect(stack.versions("zarith")).toEqual([
      "1.14+dune+mirage1", "1.14+dune+mirage", "1.14+dune", "1.14", "1.13+dune+mirage", "1.13",
      "1.12+dune+mirage1", "1.12+dune+mirage", "1.12+dune", "1.12", "1.11", "1.10", "1.9.1+dune", "1.7-1",
    ]);
    expect(stack.shadowed("zarith").map((s) => [s.version, s.winner, s.hidden.label])).toEqual([
      ["1.13+dune+mirage", "mirage-opam-overlays", "opam-overlays"],
      ["1.12+dune+mirage1", "mirage-opam-overlays", "opam-overlays"],
      ["1.12+dune+mirage", "mirage-opam-overlays", "opam-overlays"],
    ]);
    expect(stack.providerOf("zarith", "1.14+dune")).toBe(overlaysDir);
    expect(stack.readOpam("zarith", "1.13+dune+mirage")?.file).toBe(path.join(dir, "mirage-opam-overlays/packages/zarith/zarith.1.13+dune+mirage/opam"));
    for (const name of overlaysArchive.packageNames()) {
      expect(overlaysDir.versions(name)).toEqual(overlaysArchive.versions(name));
      for (const version of overlaysDir.versions(name)) {
        // Only `file` (where it was read from) may differ between the two.
        const { file: _a, ...fromDir } = overlaysDir.readOpam(name, version)!;
        const { file: _b, ...fromArchive } = overlaysArchive.readOpam(name, version)!;
        expect(fromDir).toEqual(fromArchive);
      }
    }
  });
});
