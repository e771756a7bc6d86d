// A warm lock reuses each version's record (its judgement under the environment, kept beside the
// index cache) only while it holds: a global variable its filters read that answers differently,
// or an edited opam file, makes the lock judge that version again.
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dunePkg, expectOk, localOpam, lockDepends, opamRepo, REPOS_FIELD, world } from "./lock-world.js";

const repo = () =>
  opamRepo()
    .pkg("b", "1", dunePkg("b", { hash: "1", depends: ['"dune"', '"c" {os = "linux"}', '"d" {os = "macos"}'] }))
    .pkg("b", "2", dunePkg("b", { hash: "2", available: 'os = "freebsd"' }))
    .pkg("c", "1", dunePkg("c", { hash: "3" }))
    .pkg("d", "1", dunePkg("d", { hash: "4" }));

const lockedNames = async (w: Awaited<ReturnType<typeof world>>) => [...lockDepends(await w.read("x.opam.locked")).entries()].filter(([name]) => ["b", "c", "d"].includes(name)).map(([name, d]) => `${name}.${d.version}`).sort();

describe("records of versions across locks", () => {
  it("follow the global variables their filters read, and the opam files", async () => {
    const w = await world({ "x.opam": localOpam(['"dune"', '"b"'], [REPOS_FIELD("minimal-repo", "repo")]) }, { repo: repo() });
    expectOk(await w.lock([], { OPAMVAR_os: "linux" }));
    expect(await lockedNames(w)).toEqual(["b.1", "c.1"]);
    const cache = path.join(w.dir, ".cache", "opam-monorepo", "index");
    expect(readdirSync(cache).some((file) => file.endsWith(".offers-2"))).toBe(true);
    expectOk(await w.lock([], { OPAMVAR_os: "macos" }));
    expect(await lockedNames(w)).toEqual(["b.1", "d.1"]);
    expectOk(await w.lock([], { OPAMVAR_os: "freebsd" }));
    expect(await lockedNames(w)).toEqual(["b.2"]);
    expectOk(await w.lock([], { OPAMVAR_os: "linux" }));
    expect(await lockedNames(w)).toEqual(["b.1", "c.1"]);
    // An edited opam file is judged again (its stamp changed).
    await w.write("repo/packages/c/c.1/opam", `${(await w.read("repo/packages/c/c.1/opam")).trimEnd()}\navailable: os = "macos"\n`);
    const failed = await w.lock([], { OPAMVAR_os: "linux" });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("c");
  });
});
