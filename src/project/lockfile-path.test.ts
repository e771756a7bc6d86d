// Unit tests of lock file naming for writing and reading (one target, dune-project name, several lock files).
import { afterEach, describe, expect, it } from "vitest";
import path from "node:path";
import { symlink } from "node:fs/promises";
import { removeTestdir, testdir } from "../../test/helpers/testdir.js";
import { duneProjectName, lockfilePathForRead, lockfilePathForWrite, parseSexps } from "./lockfile-path.js";

const HINT = "\nTry setting it explicitly using --lockfile or add a project name in a root dune-project file.";
const dirs: string[] = [];
async function dir(files: Record<string, string>): Promise<string> {
  const created = await testdir(files);
  dirs.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeTestdir));
});

describe("lock file path for writing", () => {
  it("uses -l verbatim", async () => {
    expect(await lockfilePathForWrite({ root: "/r", lockfile: "mirage/x.opam.locked", targets: ["a", "b"] })).toBe("mirage/x.opam.locked");
  });
  it("names it after the single target", async () => {
    expect(await lockfilePathForWrite({ root: "/r", lockfile: undefined, targets: ["a"] })).toBe("/r/a.opam.locked");
  });
  it("names it after the dune-project for several targets", async () => {
    const root = await dir({ "dune-project": '(lang dune 3.0)\n; a comment\n(name my_proj)\n(name other)\n' });
    expect(await lockfilePathForWrite({ root, lockfile: undefined, targets: ["a", "b"] })).toBe(path.join(root, "my_proj.opam.locked"));
  });
  it("reports a missing dune-project, a missing name and a parse failure", async () => {
    const empty = await dir({});
    await expect(lockfilePathForWrite({ root: empty, lockfile: undefined, targets: ["a", "b"] })).rejects.toThrow(
      `Could not infer the target lockfile name: Missing dune-project file at the root: ${empty}/dune-project${HINT}`,
    );
    const nameless = await dir({ "dune-project": "(lang dune 3.0)\n(package (name a))\n" });
    await expect(duneProjectName(nameless)).rejects.toThrow(`Could not infer the target lockfile name: Missing a name field in the dune-project file${HINT}`);
    const broken = await dir({ "dune-project": "(lang dune 3.0\n" });
    await expect(duneProjectName(broken)).rejects.toThrow(
      `Could not infer the target lockfile name: Failed to parse dune file ${broken}/dune-project: unclosed parenthesis at end of input${HINT}`,
    );
  });
  it("reads quoted names and block comments", () => {
    expect(parseSexps('(name "a b") #| (x |# (c)')).toEqual([["name", "a b"], ["c"]]);
  });
});

describe("lock file path for reading", () => {
  it("uses -l when given", async () => {
    expect(await lockfilePathForRead({ root: "/nowhere", lockfile: "x.opam.locked" })).toBe("x.opam.locked");
  });
  it("finds the single lock file at the root, ignoring dotfiles and directories", async () => {
    const root = await dir({ "a.opam.locked": "", ".hidden.opam.locked": "", "d.opam.locked/x": "", "sub/b.opam.locked": "" });
    expect(await lockfilePathForRead({ root, lockfile: undefined })).toBe(path.join(root, "a.opam.locked"));
  });
  it("follows a symlink to a lock file", async () => {
    const root = await dir({ "real/a.txt": "" });
    await symlink(path.join(root, "real/a.txt"), path.join(root, "a.opam.locked"));
    expect(await lockfilePathForRead({ root, lockfile: undefined })).toBe(path.join(root, "a.opam.locked"));
  });
  it("reports zero and several lock files", async () => {
    const none = await dir({ "a.opam": "" });
    await expect(lockfilePathForRead({ root: none, lockfile: undefined })).rejects.toThrow("No lockfile: try running `opam monorepo lock` first");
    const two = await dir({ "b.opam.locked": "", "a.opam.locked": "" });
    await expect(lockfilePathForRead({ root: two, lockfile: undefined })).rejects.toThrow(
      "Found several lockfiles: a.opam.locked b.opam.locked\nPlease pick one explicitly using the --lockfile option",
    );
  });
});
