// Unit tests of target choice: root packages, --recurse-opam, named packages and their errors.
import { describe, expect, it } from "vitest";
import { parseOpam } from "../opam/parser.js";
import { NO_TARGETS_MESSAGE, chooseTargets, localPackageVersion, targetsMessage } from "./targets.js";

const locals = [
  { name: "root", path: "/p/root.opam", atRoot: true },
  { name: "zed", path: "/p/zed.opam", atRoot: true },
  { name: "sub", path: "/p/some_dir/sub.opam", atRoot: false },
];

describe("chooseTargets", () => {
  it("defaults to the packages at the root", () => {
    expect(chooseTargets(locals, { packages: [], recurse: false }).map((t) => t.name)).toEqual(["root", "zed"]);
  });
  it("takes every local package with --recurse-opam", () => {
    expect(chooseTargets(locals, { packages: [], recurse: true }).map((t) => t.name)).toEqual(["root", "sub", "zed"]);
  });
  it("takes named packages anywhere in the tree, with an optional version", () => {
    const targets = chooseTargets(locals, { packages: ["sub.2.7.1", "root"], recurse: false });
    expect(targets.map((t) => [t.name, t.explicitVersion])).toEqual([
      ["root", undefined],
      ["sub", "2.7.1"],
    ]);
    expect(chooseTargets(locals, { packages: ["root.opam"], recurse: false })[0]!.explicitVersion).toBe("opam");
  });
  it("reports unknown names, singular and plural", () => {
    expect(() => chooseTargets(locals, { packages: ["nope"], recurse: false })).toThrow("Package nope specified but not found in repository");
    expect(() => chooseTargets(locals, { packages: ["a", "root", "b.1"], recurse: false })).toThrow(
      "Packages a, b specified but not found in repository",
    );
  });
  it("refuses an empty target set", () => {
    expect(() => chooseTargets([locals[2]!], { packages: [], recurse: false })).toThrow(NO_TARGETS_MESSAGE);
    expect(() => chooseTargets([], { packages: [], recurse: true })).toThrow(expect.objectContaining({ code: "NO_TARGETS" }));
  });
  it("words the count message like the reference", () => {
    expect(targetsMessage(1)).toBe("Using 1 locally scanned package as the target.");
    expect(targetsMessage(2)).toBe("Using 2 locally scanned packages as the targets.");
  });
});

describe("localPackageVersion", () => {
  const withVersion = parseOpam('opam-version: "2.0"\nversion: "1.2"\n', "a.opam");
  const without = parseOpam('opam-version: "2.0"\n', "b.opam");
  it("explicit > version field > zdev", () => {
    expect(localPackageVersion("3.0", withVersion)).toBe("3.0");
    expect(localPackageVersion(undefined, withVersion)).toBe("1.2");
    expect(localPackageVersion(undefined, without)).toBe("zdev");
    expect(localPackageVersion(undefined, undefined)).toBe("zdev");
  });
});
