// Unit tests of loadProject: targets, versions, lock file path, configuration and pins together.
import { afterEach, describe, expect, it } from "vitest";
import path from "node:path";
import { removeTestdir, testdir } from "../../test/helpers/testdir.js";
import { EMPTY_CONFIG } from "./config.js";
import { loadProject, projectRoot } from "./project.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeTestdir));
});
const noCli = { replace: EMPTY_CONFIG, add: EMPTY_CONFIG };

describe("loadProject", () => {
  it("assembles targets, versions, the lock file path, the config and the pins", async () => {
    const root = await testdir({
      "app.opam": [
        'opam-version: "2.0"',
        'version: "1.0"',
        'x-opam-monorepo-opam-repositories: ["file://$OPAM_MONOREPO_CWD/repo"]',
        'pin-depends: [["b.1" "https://b.com/b.tbz"]]',
        "",
      ].join("\n"),
      "sub/lib.opam": 'opam-version: "2.0"\nx-opam-monorepo-opam-provided: "ignored"\npin-depends: [["b.1" "https://b.com/b.tbz"]]\n',
    });
    dirs.push(root);
    const project = await loadProject({ root, packages: [], recurse: false, lockfile: undefined, cli: noCli });
    expect(project.root).toBe(root);
    expect(project.targets.map((t) => [t.name, t.version])).toEqual([["app", "1.0"]]);
    expect(project.locals.map((l) => [l.name, l.version, l.isTarget])).toEqual([
      ["app", "1.0", true],
      ["lib", "zdev", false],
    ]);
    expect(project.lockfilePath).toBe(path.join(root, "app.opam.locked"));
    expect(project.config).toEqual({ repositories: [`file://${root}/repo`], globalVars: undefined, opamProvided: undefined });
    expect(project.pins).toEqual([{ name: "b", version: "1", url: "https://b.com/b.tbz" }]);
  });

  it("gives explicit targets their CLI version and reads the dune-project name for several", async () => {
    const root = await testdir({
      "dune-project": "(lang dune 3.0)\n(name proj)\n",
      "a.opam": 'opam-version: "2.0"\nversion: "1"\n',
      "x/b.opam": 'opam-version: "2.0"\n',
    });
    dirs.push(root);
    const project = await loadProject({ root, packages: ["a.2.0", "b"], recurse: false, lockfile: undefined, cli: noCli });
    expect(project.targets.map((t) => [t.name, t.version])).toEqual([
      ["a", "2.0"],
      ["b", "zdev"],
    ]);
    expect(project.lockfilePath).toBe(path.join(root, "proj.opam.locked"));
  });

  it("resolves a relative root", () => {
    expect(projectRoot("sub", "/work")).toBe("/work/sub");
    expect(projectRoot(undefined, "/work")).toBe("/work");
  });
});
