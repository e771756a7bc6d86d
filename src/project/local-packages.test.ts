// Unit tests of local package discovery: skipped directories, embedded repositories, duplicates, names.
import { afterEach, describe, expect, it } from "vitest";
import path from "node:path";
import { symlink } from "node:fs/promises";
import { removeTestdir, testdir } from "../../test/helpers/testdir.js";
import { scanLocalPackages } from "./local-packages.js";

const OPAM = 'opam-version: "2.0"\n';
const dirs: string[] = [];
async function dir(files: Record<string, string>): Promise<string> {
  const created = await testdir(files);
  dirs.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeTestdir));
});

describe("scanLocalPackages", () => {
  it("finds every *.opam recursively and skips the reference's directories", async () => {
    const root = await dir({
      "root.opam": OPAM,
      "root.opam.locked": OPAM,
      opam: OPAM,
      "some_dir/some-local-pkg.opam": OPAM,
      "_build/default/built.opam": OPAM,
      "_opam/lib/switch.opam": OPAM,
      "duniverse/dep/dep.opam": OPAM,
      "deep/duniverse/dep2.opam": OPAM,
      ".hidden/hidden.opam": OPAM,
      ".dot.opam": OPAM,
      "repo/repo": 'opam-version: "2.0"\n',
      "repo/packages/a/a.1/opam": OPAM,
      "repo/inside.opam": OPAM,
      "notrepo/packages/x": "",
      "notrepo/repo": "this is { not opam",
      "notrepo/kept.opam": OPAM,
    });
    const scan = await scanLocalPackages(root);
    expect(scan.packages).toEqual([
      { name: "kept", path: path.join(root, "notrepo/kept.opam"), atRoot: false },
      { name: "root", path: path.join(root, "root.opam"), atRoot: true },
      { name: "some-local-pkg", path: path.join(root, "some_dir/some-local-pkg.opam"), atRoot: false },
    ]);
    expect(scan.warnings).toEqual([]);
  });

  it("keeps the first of duplicate names (root first) and warns", async () => {
    const root = await dir({ "a.opam": OPAM, "x/a.opam": OPAM, "b/a.opam": OPAM });
    const scan = await scanLocalPackages(root);
    expect(scan.packages).toEqual([{ name: "a", path: path.join(root, "a.opam"), atRoot: true }]);
    expect(scan.warnings).toEqual([
      `Package a is defined multiple times in the repository:\n- ${root}/a.opam\n- ${root}/b/a.opam\n- ${root}/x/a.opam\nWe kept ${root}/a.opam and discarded the others`,
    ]);
  });

  it("makes a relative root absolute and treats a missing root as empty", async () => {
    const root = await dir({ "a.opam": OPAM });
    const relative = path.relative(process.cwd(), root);
    expect((await scanLocalPackages(relative)).packages[0]!.path).toBe(path.join(root, "a.opam"));
    expect(await scanLocalPackages(path.join(root, "missing"))).toEqual({ packages: [], warnings: [] });
  });

  it("follows symlinks, visiting each real directory once", async () => {
    const root = await dir({ "real/s.opam": OPAM });
    await symlink(path.join(root, "real"), path.join(root, "link"));
    await symlink(root, path.join(root, "real/loop"));
    const scan = await scanLocalPackages(root);
    expect(scan.packages.map((p) => p.name)).toEqual(["s"]);
    expect(scan.warnings).toEqual([]);
  });

  it("reports an invalid package name as a user error naming the file", async () => {
    const root = await dir({ "foo.bar.opam": OPAM });
    await expect(scanLocalPackages(root)).rejects.toThrow(`${root}/foo.bar.opam: Invalid character in package name "foo.bar"`);
    await expect(scanLocalPackages(root)).rejects.toMatchObject({ code: "PACKAGE_NAME_INVALID" });
  });
});
