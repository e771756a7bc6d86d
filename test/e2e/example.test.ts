// The README's example command: lock, offline pull from the bundled mirror, list, why,
// workspace, and (where dune is installed) a real `dune build` of the vendored workspace.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../helpers/cli.js";

const hasDune = spawnSync("dune", ["--version"]).status === 0;

describe("npm run example", () => {
  it("locks, pulls offline, writes the workspace and builds the bundled example", () => {
    const result = spawnSync("bash", [path.join(projectRoot, "scripts", "example.sh")], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(result.stderr).not.toMatch(/\[ERROR\]/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/==> Wrote lockfile with 2 entries to .*hello\.opam\.locked\./);
    expect(result.stdout).toMatch(/==> Successfully pulled 2\/2 repositories/);
    expect(result.stdout).toContain("==> duniverse/ matches the lock file: 2 repositories, 2 as pulled, 0 with drift, 0 unverified");
    expect(result.stdout).toMatch(/^greet +1\.0 +Says hello/m);
    expect(result.stdout).toContain("hello -> shout {>= 2.0} -> greet {>= 1.0}");
    if (hasDune) expect(result.stdout).toContain("HELLO, OPAM-MONOREPO!");
    else console.log("dune is not installed: the example was not built");
  });
});
