// The locked view `why` solves over: only each locked name's locked version (compare-equal
// spellings match), nothing for other names; reading and providers go to the repository. A
// locked version is found by probing its file alone, below members that have the name but no
// compare-equal spelling; the stack decides when one has; names from the lock file never make a
// path outside.
import { describe, expect, it } from "vitest";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Repository } from "./repository.js";
import { opamRepo } from "../../test/helpers/opam-repo.js";
import { realSnapshotDirs } from "../../test/helpers/real-dirs.js";
import { testdir } from "../../test/helpers/testdir.js";
import { openDirectory } from "./directory.js";
import { lockedView } from "./locked-view.js";
import { stackRepositories } from "./stack.js";

describe("locked view", () => {
  it("offers the locked versions only", async () => {
    const dir = await testdir();
    await opamRepo().pkg("a", "1.0").pkg("a", "2.0").pkg("b", "1.01").pkg("c", "1").writeTo(path.join(dir, "repo"));
    const stack = stackRepositories([await openDirectory({ path: path.join(dir, "repo") }, { cacheDir: path.join(dir, "cache") })]);
    const view = lockedView(stack, new Map([["a", "1.0"], ["b", "1.1"]]));
    expect(view.versions("a")).toEqual(["1.0"]);
    expect(view.versions("b")).toEqual(["1.01"]);
    expect(view.versions("c")).toEqual([]);
    expect(view.packageNames()).toEqual(["a", "b"]);
    expect(view.readOpam("a", "2.0")?.version).toBe("2.0");
    expect(view.providerOf("a", "1.0")).toBe(stack.providerOf("a", "1.0"));
  });

  it("finds a locked version by its file alone, never listing the name's versions", () => {
    const asked: string[] = [];
    const member: Repository = {
      label: "fake",
      url: "file:///fake",
      commit: undefined,
      packageNames: () => ["a"],
      versions: (name) => {
        throw new Error(`listed ${name}`);
      },
      readOpam: (name, version) => (asked.push(`${name}.${version}`), undefined),
      probe: (name, version) => (name === "a" && version === "1.0" ? "present" : "no-name"),
      flush: async () => undefined,
    };
    const view = lockedView(stackRepositories([member]), new Map([["a", "1.0"]]));
    expect(view.versions("a")).toEqual(["1.0"]);
    expect(view.providerOf("a", "1.0")).toBe(member);
    view.readOpam("a", "1.0");
    expect(asked).toEqual(["a.1.0"]);
  });

  it("looks below a member that has the name but no compare-equal spelling, listing only that member's versions", () => {
    const listed: string[] = [];
    const member = (label: string, versions: string[]): Repository => ({
      label,
      url: `file:///${label}`,
      commit: undefined,
      packageNames: () => ["a"],
      versions: (name) => (listed.push(`${label}:${name}`), name === "a" ? versions : []),
      readOpam: () => undefined,
      probe: (name, version) => (name !== "a" ? "no-name" : versions.includes(version) ? "present" : "unknown"),
      flush: async () => undefined,
    });
    const overlay = member("overlay", ["0.9", "2.0"]);
    const repo = member("repo", ["0.9", "1.0", "1.5", "2.0"]);
    const view = lockedView(stackRepositories([overlay, repo]), new Map([["a", "1.0"]]));
    expect(view.providerOf("a", "1.0")).toBe(repo);
    expect(view.versions("a")).toEqual(["1.0"]);
    expect(listed).toEqual(["overlay:a"]);
    const hidden = lockedView(stackRepositories([member("overlay", ["1.00"]), repo]), new Map([["a", "1.0"]]));
    expect(hidden.versions("a")).toEqual(["1.00"]);
    expect(hidden.providerOf("a", "1.00")?.label).toBe("overlay");
  });

  it("reads the locked file as it is now; a higher repository with the name decides as the stack does", async () => {
    const dir = await testdir();
    const cacheDir = path.join(dir, "cache");
    await opamRepo().pkg("b", "1.01").writeTo(path.join(dir, "overlay"));
    await opamRepo().pkg("a", "1.0").pkg("a", "2.0").pkg("b", "1.1").writeTo(path.join(dir, "repo"));
    const open = async () =>
      stackRepositories([await openDirectory({ path: path.join(dir, "overlay") }, { cacheDir }), await openDirectory({ path: path.join(dir, "repo") }, { cacheDir })]);
    const warmUp = await open();
    warmUp.versions("a");
    warmUp.readOpam("a", "1.0");
    await warmUp.flush();
    const file = path.join(dir, "repo/packages/a/a.1.0/opam");
    await writeFile(file, (await readFile(file, "utf8")).replace("a 1.0, a test package", "edited"));
    const stack = await open();
    const view = lockedView(stack, new Map([["a", "1.0"], ["b", "1.1"]]));
    expect(view.versions("a")).toEqual(["1.0"]);
    expect(view.readOpam("a", "1.0")?.synopsis).toBe("edited");
    expect(view.providerOf("a", "1.0")).toBe(stack.members[1]);
    // The overlay has b, spelled 1.01: compare-equal to the locked 1.1, it hides the repo's.
    expect(view.versions("b")).toEqual(["1.01"]);
    expect(view.providerOf("b", "1.01")).toBe(stack.members[0]);
    expect(stack.members[1]!.versions("a")).toEqual(["2.0", "1.0"]);
  });

  it("a name or version from the lock file that no repository can hold reads nothing", async () => {
    const dir = await testdir();
    await opamRepo().pkg("a", "1.0").writeTo(path.join(dir, "repo"));
    await mkdir(path.join(dir, "repo/evil.1"), { recursive: true });
    await writeFile(path.join(dir, "repo/evil.1/opam"), 'opam-version: "2.0"\n');
    const repo = await openDirectory({ path: path.join(dir, "repo") }, { cacheDir: path.join(dir, "cache") });
    expect(repo.probe!("..", "1")).toBe("unknown");
    expect(repo.probe!("a", "1.0/../../../evil.1")).toBe("unknown");
    expect(repo.probe!("a", "1.0")).toBe("present");
    expect(repo.probe!("b", "1.0")).toBe("no-name");
    const view = lockedView(stackRepositories([repo]), new Map([["..", "1"]]));
    expect(view.versions("..")).toEqual([]);
  });

  it.skipIf(realSnapshotDirs() === undefined)("on the real snapshots, probing gives the stack's answers for the newest versions of names of both kinds", async () => {
    const dirs = realSnapshotDirs()!;
    const cacheDir = path.join(await testdir(), "cache");
    const open = async () =>
      stackRepositories([await openDirectory({ path: dirs.overlays }, { cacheDir }), await openDirectory({ path: dirs.repository }, { cacheDir })]);
    const full = await open();
    // Names only opam-repository has, and names the overlay has too (it hides their versions).
    const names = ["lwt", "dune", "ocamlfind", "cmdliner", ...full.members[0]!.packageNames().slice(0, 6)];
    for (const name of names) {
      for (const version of full.versions(name).slice(0, 4)) {
        const view = lockedView(await open(), new Map([[name, version]]));
        expect(view.versions(name), `${name}.${version}`).toEqual([version]);
        expect(view.providerOf(name, version)?.label, `${name}.${version}`).toBe(full.providerOf(name, version)!.label);
        expect(view.readOpam(name, version), `${name}.${version}`).toEqual(full.readOpam(name, version));
      }
    }
  }, 120_000);
});
