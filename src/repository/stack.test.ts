// Stacked repositories (priority, compare-equal versions, shadowing) and URL classification.
import { describe, expect, it } from "vitest";
import path from "node:path";
import { opamRepo } from "../../test/helpers/opam-repo.js";
import { testdir } from "../../test/helpers/testdir.js";
import { openDirectory } from "./directory.js";
import { openRepositories, repositorySpecFromUrl, OPAM_REPOSITORY_GIT } from "./open.js";
import { stackRepositories } from "./stack.js";

async function twoRepositories() {
  const dir = await testdir();
  const cacheDir = path.join(dir, "cache");
  await opamRepo()
    .pkg("a", "1.0+dune", { tags: ["overlay"] })
    .pkg("b", "1.01", { tags: ["overlay"] })
    .pkg("o", "1", { tags: ["overlay"] })
    .writeTo(path.join(dir, "overlay"));
  await opamRepo()
    .pkg("a", "1.0")
    .pkg("a", "2.0")
    .pkg("b", "1.1", { tags: ["base"] })
    .pkg("b", "0.9")
    .pkg("c", "1")
    .writeTo(path.join(dir, "base"));
  const overlay = await openDirectory({ path: path.join(dir, "overlay") }, { cacheDir });
  const base = await openDirectory({ path: path.join(dir, "base") }, { cacheDir });
  return { dir, cacheDir, overlay, base };
}

describe("stacked repositories", () => {
  it("merges versions newest first; the first repository providing a version wins", async () => {
    const { overlay, base } = await twoRepositories();
    const stack = stackRepositories([overlay, base]);
    expect(stack.packageNames()).toEqual(["a", "b", "c", "o"]);
    expect(stack.versions("a")).toEqual(["2.0", "1.0+dune", "1.0"]);
    expect(stack.versions("b")).toEqual(["1.01", "0.9"]);
    expect(stack.readOpam("b", "1.01")?.tags).toEqual(["overlay"]);
    expect(stack.readOpam("b", "1.1")).toBeUndefined();
    expect(stack.providerOf("a", "1.0+dune")).toBe(overlay);
    expect(stack.providerOf("a", "2.0")).toBe(base);
    expect(stack.versions("zzz")).toEqual([]);
  });

  it("records what was shadowed, and priority follows the order given", async () => {
    const { overlay, base } = await twoRepositories();
    const stack = stackRepositories([overlay, base]);
    expect(stack.shadowed("b")).toEqual([{ name: "b", version: "1.01", winner: "overlay", hidden: { label: "base", version: "1.1" } }]);
    stack.versions("a");
    expect(stack.shadowed()).toEqual(stack.shadowed("b"));
    const reversed = stackRepositories([base, overlay]);
    expect(reversed.versions("b")).toEqual(["1.1", "0.9"]);
    expect(reversed.readOpam("b", "1.1")?.tags).toEqual(["base"]);
    expect(reversed.shadowed("b")).toEqual([{ name: "b", version: "1.1", winner: "base", hidden: { label: "overlay", version: "1.01" } }]);
    expect(reversed.url).toBe(`${base.url} ${overlay.url}`);
  });

  it("openRepositories opens specs in order of priority and reports the first failure", async () => {
    const { dir, cacheDir } = await twoRepositories();
    const stack = await openRepositories([repositorySpecFromUrl(path.join(dir, "overlay")), repositorySpecFromUrl(`file://${path.join(dir, "base")}`)], { cacheDir });
    expect(stack.members.map((m) => m.label)).toEqual(["overlay", "base"]);
    expect(stack.versions("b")).toEqual(["1.01", "0.9"]);
    const failing = openRepositories([repositorySpecFromUrl(path.join(dir, "base")), repositorySpecFromUrl(path.join(dir, "nope"))], { cacheDir });
    await expect(failing).rejects.toMatchObject({ code: "REPO_UNREACHABLE", message: expect.stringContaining("nope") });
  });
});

describe("repository URLs", () => {
  it("classify into directory, archive, git and http specs", async () => {
    const dir = await testdir({ "r.tar.gz": "", "d/packages/.keep": "" });
    expect(repositorySpecFromUrl("https://opam.ocaml.org")).toEqual({ kind: "git", url: OPAM_REPOSITORY_GIT });
    expect(repositorySpecFromUrl("https://opam.ocaml.org/")).toEqual({ kind: "git", url: OPAM_REPOSITORY_GIT });
    expect(repositorySpecFromUrl("git+https://github.com/dune-universe/opam-overlays.git")).toEqual({ kind: "git", url: "git+https://github.com/dune-universe/opam-overlays.git" });
    expect(repositorySpecFromUrl("https://github.com/o/r.git#v1")).toEqual({ kind: "git", url: "https://github.com/o/r.git#v1" });
    expect(repositorySpecFromUrl("git+file:///tmp/r")).toEqual({ kind: "git", url: "git+file:///tmp/r" });
    expect(repositorySpecFromUrl("https://x/archive/main.tar.gz")).toEqual({ kind: "http", url: "https://x/archive/main.tar.gz" });
    expect(repositorySpecFromUrl(`file://${dir}/d`)).toEqual({ kind: "directory", path: `${dir}/d`, url: `file://${dir}/d` });
    expect(repositorySpecFromUrl(`file://${dir}/r.tar.gz`)).toEqual({ kind: "archive", path: `${dir}/r.tar.gz`, url: `file://${dir}/r.tar.gz` });
    expect(repositorySpecFromUrl("d", dir)).toEqual({ kind: "directory", path: `${dir}/d` });
    expect(repositorySpecFromUrl("./r.tar.gz", dir)).toEqual({ kind: "archive", path: `${dir}/r.tar.gz` });
    expect(() => repositorySpecFromUrl("hg+https://x/r")).toThrow(expect.objectContaining({ code: "REPO_UNREACHABLE", message: expect.stringContaining("hg+https://x/r") }));
    expect(() => repositorySpecFromUrl("rsync://x/r")).toThrow(/unsupported repository URL/);
  });
});
