// `outdated` rows: the newest version, and the newest the rest of the solution allows (others'
// constraints and conflicts, its own dependencies, alternatives, availability, dune).
import { describe, expect, it } from "vitest";
import { globalEnv } from "../opam/env.js";
import { packageFromOpam, type OpamPackage } from "../opam/package.js";
import { parseOpam } from "../opam/parser.js";
import { compareVersions } from "../opam/version.js";
import { outdatedRows, type OutdatedInput } from "./outdated.js";

const DUNE = '"dune" {>= "3.0"}';
const files: Record<string, string> = {
  "app.zdev": `depends: [${DUNE} "a" "b" "c"]`,
  "dune.3.0": "",
  "a.1.0": `depends: [${DUNE}]`,
  "a.2.0": `depends: [${DUNE}]`,
  "a.3.0": `depends: [${DUNE}]`,
  "b.1.0": `depends: [${DUNE} "a" {< "3.0"}]`,
  "b.2.0": `depends: [${DUNE} "a" {>= "3.0"}]`,
  "b.1.5": `depends: [${DUNE} "a" {< "3.0"} "newdep"]`,
  "c.1": `depends: [${DUNE} "ocaml-base-compiler" {>= "4.0"} | "ocaml-variants"]`,
  "c.2": `depends: [${DUNE} "ocaml-base-compiler" {>= "5.0"} | "ocaml-variants"]`,
  "ocaml-base-compiler.4.14": "",
  "d.1": `depends: [${DUNE}]`,
  "d.2": `depends: [${DUNE}]\navailable: os = "windows"`,
  "d.3": 'build: [make]\nurl { src: "https://example.org/d-3.tbz" }',
  "e.1": `depends: [${DUNE}]`,
  "e.2": `depends: [${DUNE}]\nconflicts: ["a" {< "4.0"}]`,
};

function pkg(id: string): OpamPackage {
  const dot = id.indexOf(".");
  return packageFromOpam(parseOpam(`opam-version: "2.0"\n${files[id]}\n`, id), id.slice(0, dot), id.slice(dot + 1));
}

const repository: OutdatedInput["repository"] = {
  versions: (name) => Object.keys(files).filter((id) => id.startsWith(`${name}.`)).map((id) => id.slice(name.length + 1)).sort((x, y) => compareVersions(y, x)),
  readOpam: (name, version) => (files[`${name}.${version}`] === undefined ? undefined : pkg(`${name}.${version}`)),
};

const locked = [
  { name: "a", version: "1.0", vendored: true },
  { name: "b", version: "1.0", vendored: true },
  { name: "c", version: "1", vendored: true },
  { name: "d", version: "1", vendored: true },
  { name: "e", version: "1", vendored: true },
  { name: "dune", version: "3.0", vendored: false },
  { name: "ocaml-base-compiler", version: "4.14", vendored: false },
];

describe("outdated", () => {
  it("gives the newest version and the newest the others allow", () => {
    const selection = new Map(["app.zdev", "a.1.0", "b.1.0", "c.1", "d.1", "e.1", "dune.3.0", "ocaml-base-compiler.4.14"].map((id) => [pkg(id).name, pkg(id)]));
    const rows = outdatedRows({ repository, env: globalEnv({ os: "linux" }), locked, selection, withTest: new Set(["app"]), allowJbuilder: false });
    expect(rows.map((row) => [row.name, row.locked, row.compatible, row.latest])).toEqual([
      ["a", "1.0", "2.0", "3.0"], // b.1.0 wants a < 3.0
      ["b", "1.0", "1.5", "2.0"], // b.2.0 wants a >= 3.0; b.1.5 adds a new package, which is fine
      ["c", "1", "1", "2"], // c.2's alternatives: the selected compiler is too old
      ["d", "1", "1", "3"], // d.2 is not available on linux, d.3 does not build with dune
      ["e", "1", "1", "2"], // e.2 conflicts with the locked a
      ["dune", "3.0", "3.0", "3.0"],
      ["ocaml-base-compiler", "4.14", "4.14", "4.14"],
    ]);
  });
});
