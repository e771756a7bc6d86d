// Unit tests of pin-depends collection: de-duplication and the conflict errors.
import { describe, expect, it } from "vitest";
import { parseOpam } from "../opam/parser.js";
import { LOCAL_PIN_MESSAGE, collectPinDepends, groupPinsByUrl, pinDependsOf, sortUniqPins } from "./pin-depends.js";

const pin = (id: string, url: string) => {
  const dot = id.indexOf(".");
  return { name: id.slice(0, dot), version: id.slice(dot + 1), url };
};

describe("sortUniqPins", () => {
  it("handles empty input and keeps singletons", () => {
    expect(sortUniqPins([])).toEqual([]);
    expect(sortUniqPins([pin("a.1", "u")])).toEqual([pin("a.1", "u")]);
  });
  it("merges identical entries and sorts by name", () => {
    expect(sortUniqPins([pin("b.1", "ub"), pin("a.1", "ua"), pin("b.1", "ub")])).toEqual([pin("a.1", "ua"), pin("b.1", "ub")]);
  });
  it("sorts names case-insensitively first", () => {
    expect(sortUniqPins([pin("b.1", "u"), pin("A.1", "u"), pin("a.1", "u")]).map((p) => p.name)).toEqual(["A", "a", "b"]);
  });
  it("rejects one package pinned to different versions", () => {
    expect(() => sortUniqPins([pin("a.1", "u"), pin("a.2", "u")])).toThrow("Package a is pinned to different versions/url:\n  - a.2: u\n  - a.1: u");
  });
  it("rejects one package pinned to different URLs", () => {
    expect(() => sortUniqPins([pin("a.1", "u1"), pin("a.1", "u2")])).toThrow(
      "Package a is pinned to different versions/url:\n  - a.1: u2\n  - a.1: u1",
    );
  });
});

describe("pin-depends of opam files", () => {
  const x = parseOpam('pin-depends: [["b.1" "https://b.com/b.tbz"] ["c.dev" "git+https://c.com/c.git#main"]]\n', "x.opam");
  const y = parseOpam('pin-depends: ["b.1" "https://b.com/b.tbz"]\n', "y.opam");
  it("reads nested and single pairs", () => {
    expect(pinDependsOf(x)).toEqual([pin("b.1", "https://b.com/b.tbz"), pin("c.dev", "git+https://c.com/c.git#main")]);
    expect(pinDependsOf(y)).toEqual([pin("b.1", "https://b.com/b.tbz")]);
    expect(pinDependsOf(parseOpam('opam-version: "2.0"\n', "z.opam"))).toEqual([]);
  });
  it("reports a bad entry with its file and position", () => {
    expect(() => pinDependsOf(parseOpam('pin-depends: [["b" "u"]]\n', "w.opam"))).toThrow(
      'Error in opam file w.opam, [1:15]: Expected a package "name.version", got: "b"',
    );
    expect(() => pinDependsOf(parseOpam('pin-depends: [["b.1"]]\n', "w.opam"))).toThrow(
      'Error in opam file w.opam, [1:14]: Expected a list [ "package.version" "url" ], got: ["b.1"]',
    );
  });
  it("collects from every local file, and refuses pins of local packages", () => {
    expect(collectPinDepends([x, y], new Set(["x", "y"])).map((p) => p.name)).toEqual(["b", "c"]);
    expect(() => collectPinDepends([x, y], new Set(["x", "c"]))).toThrow(LOCAL_PIN_MESSAGE);
  });
  it("groups by URL, each package once", () => {
    const groups = groupPinsByUrl([pin("a.1", "u"), pin("b.1", "u"), pin("c.1", "v")]);
    expect([...groups.keys()]).toEqual(["u", "v"]);
    expect(groups.get("u")!.map((p) => p.name)).toEqual(["a", "b"]);
  });
});
