// `lock` against a previous lock file (issue 12.10): an unchanged result leaves the file and its
// mtime alone and says so; a changed one prints what moved (upgraded, downgraded, added, removed),
// also as `changes` in --json.
import { statSync, utimesSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dunePkg, expectOk, localOpam, opamRepo, progressLines, REPOS_FIELD, world } from "./lock-world.js";

const repo = () =>
  opamRepo()
    .pkg("b", "1", dunePkg("b", { hash: "1" }))
    .pkg("b", "2", dunePkg("b", { hash: "2" }))
    .pkg("c", "1", dunePkg("c", { hash: "3" }))
    .pkg("d", "1", dunePkg("d", { hash: "4" }));
const project = (depends: string[]) => localOpam(['"dune"', ...depends], [REPOS_FIELD("minimal-repo", "repo")]);

describe("lock against the previous lock file", () => {
  it("says nothing more on a first lock, then leaves an unchanged lock file (and its mtime) alone", async () => {
    const w = await world({ "x.opam": project(['"b"', '"c"']) }, { repo: repo() });
    const first = expectOk(await w.lock());
    expect(first.stdout).toBe(progressLines(10, 2, `${w.dir}/x.opam.locked`));
    const file = path.join(w.dir, "x.opam.locked");
    const past = new Date("2020-01-01T00:00:00Z");
    utimesSync(file, past, past);
    const again = expectOk(await w.lock());
    expect(again.stdout).toContain(`==> Lockfile with 2 entries at ${w.dir}/x.opam.locked is unchanged (not rewritten). You can now run opam monorepo pull`);
    expect(again.stdout).not.toContain("Wrote lockfile");
    expect(again.stdout).not.toContain("Changes against");
    expect(statSync(file).mtime.getTime()).toBe(past.getTime());
  });

  it("prints each version moved, package added and removed, and rewrites the file", async () => {
    const w = await world({ "x.opam": project(['"b" {< "2"}', '"c"']) }, { repo: repo() });
    expectOk(await w.lock());
    expect(await w.read("x.opam.locked")).toContain('"b" {= "1" & ?vendor}');
    await w.write("x.opam", project(['"b"', '"d"']));
    const changed = expectOk(await w.lock());
    expect(changed.stdout).toContain(`==> Wrote lockfile with 2 entries to ${w.dir}/x.opam.locked.`);
    expect(changed.stdout).toContain(
      "==> Changes against the previous lock file: 1 upgraded, 1 added, 1 removed\n      b 1 → 2\n      added d 1\n      removed c 1\n",
    );
    expect(await w.read("x.opam.locked")).toContain('"b" {= "2" & ?vendor}');
    await w.write("x.opam", project(['"b" {< "2"}', '"d"']));
    const down = expectOk(await w.lock());
    expect(down.stdout).toContain("==> Changes against the previous lock file: 1 downgraded\n      b 2 → 1\n");
  });

  it("says when only the sources or options changed, and reports changes as JSON", async () => {
    const w = await world({ "x.opam": project(['"b"']) }, { repo: repo() });
    expectOk(await w.lock());
    const options = expectOk(await w.lock(["--build-only"]));
    expect(options.stdout).toContain("==> Wrote lockfile");
    expect(options.stdout).toContain("==> No package version changed (the lock file's sources, repositories or options did).");
    await w.write("x.opam", project(['"b" {< "2"}', '"c"']));
    const json = JSON.parse(expectOk(await w.lock(["--json"])).stdout) as { changes: unknown };
    expect(json.changes).toEqual({
      previous: true,
      unchanged: false,
      upgraded: [],
      downgraded: [{ name: "b", from: "2", to: "1" }],
      added: [{ name: "c", version: "1" }],
      removed: [],
    });
    const same = JSON.parse(expectOk(await w.lock(["--json"])).stdout) as { changes: { unchanged: boolean } };
    expect(same.changes.unchanged).toBe(true);
  });
});
