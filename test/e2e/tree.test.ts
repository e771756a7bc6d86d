// `tree` on the bundled example: the text tree, --depth, --invert, --constraints, JSON, DOT (the
// committed docs/example-graph.dot, rendered by Graphviz when installed) and Mermaid, and errors.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot, runCli, type CliResult } from "../helpers/cli.js";
import { copyFixtures, removeTempDirs, show } from "./plugin-world.js";

let cli: (args: string[]) => Promise<CliResult>;
let example: string;

function hasDot(): boolean {
  try {
    execFileSync("dot", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const TREE = `hello zdev (local)
├── dune 3.6.2 (opam)
│   ├── base-threads base (opam)
│   ├── base-unix base (opam)
│   └── ocaml 4.13.1 (opam)
│       ├── ocaml-base-compiler 4.13.1 (opam)
│       │   ├── base-bigarray base (opam)
│       │   ├── base-threads base (opam)
│       │   ├── base-unix base (opam)
│       │   ├── ocaml 4.13.1 (opam) (*)
│       │   └── ocaml-options-vanilla 1 (opam)
│       │       └── ocaml-base-compiler 4.13.1 (opam) (*)
│       └── ocaml-config 2 (opam)
│           └── ocaml-base-compiler 4.13.1 (opam) (*)
├── ocaml 4.13.1 (opam) (*)
└── shout 2.1
    ├── dune 3.6.2 (opam) (*)
    ├── greet 1.0
    │   ├── dune 3.6.2 (opam) (*)
    │   └── ocaml 4.13.1 (opam) (*)
    ├── ocaml 4.13.1 (opam) (*)
    └── shout-utils 2.1
        ├── dune 3.6.2 (opam) (*)
        └── ocaml 4.13.1 (opam) (*)
`;

describe("tree", () => {
  beforeAll(async () => {
    const copy = await copyFixtures("om-tree-");
    example = copy.example;
    cli = (args: string[]) => runCli(args, { cwd: copy.example, home: copy.dir });
    const lock = await cli(["lock", "--ocaml-version", "4.13.1"]);
    expect(lock.code, show(lock)).toBe(0);
  }, 60_000);
  afterAll(removeTempDirs);

  it("prints the tree from the root package, repeated packages marked (*)", async () => {
    const result = await cli(["tree"]);
    expect(result, show(result)).toMatchObject({ code: 0, stdout: TREE, stderr: "" });
  });

  it("stops at --depth, shows --constraints, and --invert shows who needs a package", async () => {
    const depth = await cli(["tree", "--depth", "1", "--constraints"]);
    expect(depth.stdout).toBe("hello zdev (local)\n├── dune 3.6.2 {>= 2.9} (opam)\n├── ocaml 4.13.1 {>= 4.08} (opam)\n└── shout 2.1 {>= 2.0}\n");
    const invert = await cli(["tree", "-i", "greet"]);
    expect(invert, show(invert)).toMatchObject({ code: 0, stdout: "greet 1.0\n└── shout 2.1\n    └── hello zdev (local)\n" });
  });

  it("prints the tree and the graph as JSON", async () => {
    const result = await cli(["tree", "--json"]);
    expect(result.code, show(result)).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ ok: true, lockfile: path.join(example, "hello.opam.locked"), roots: ["hello"] });
    expect(json.tree[0].dependencies.map((node: { name: string; duplicate: boolean }) => [node.name, node.duplicate])).toEqual([
      ["dune", false],
      ["ocaml", true],
      ["shout", false],
    ]);
    expect(json.packages.find((pkg: { name: string }) => pkg.name === "shout")).toEqual({
      name: "shout",
      version: "2.1",
      kind: "vendored",
      dependencies: [
        { name: "dune", constraint: ">= 2.9" },
        { name: "greet", constraint: ">= 1.0" },
        { name: "ocaml", constraint: "" },
        { name: "shout-utils", constraint: "= 2.1" },
      ],
    });
  });

  it("prints DOT (the README's picture) that Graphviz renders, and Mermaid", async () => {
    const dot = await cli(["tree", "--format", "dot"]);
    expect(dot.code, show(dot)).toBe(0);
    expect(dot.stdout).toBe(readFileSync(path.join(projectRoot, "docs", "example-graph.dot"), "utf8"));
    if (hasDot()) {
      const svg = execFileSync("dot", ["-Tsvg"], { input: dot.stdout, encoding: "utf8" });
      expect(svg).toMatch(/<svg[\s\S]*<title>hello&#45;&gt;shout<\/title>/);
    } else {
      console.log("tree: Graphviz's dot is not installed, the SVG rendering is not checked (apt-get install graphviz)");
    }
    const mermaid = await cli(["tree", "--format", "mermaid", "--depth", "1"]);
    expect(mermaid.stdout).toBe(
      'flowchart LR\n  p0["dune 3.6.2"]\n  p1["hello zdev"]\n  p2["ocaml 4.13.1"]\n  p3["shout 2.1"]\n' +
        '  p0 -->|"#62;= 4.08"| p2\n  p1 -->|"#62;= 2.9"| p0\n  p1 -->|"#62;= 4.08"| p2\n  p1 -->|"#62;= 2.0"| p3\n  p3 -->|"#62;= 2.9"| p0\n  p3 --> p2\n' +
        "  classDef local font-weight:bold,fill:#dbeafe;\n  classDef opam stroke-dasharray:4 3;\n  class p1 local;\n  class p0,p2 opam;\n",
    );
  });

  it("refuses a bad depth, an unknown package to invert and an unknown format", async () => {
    const depth = await cli(["tree", "--depth", "many"]);
    expect(depth).toMatchObject({ code: 1, stdout: "" });
    expect(depth.stderr).toMatch(/option --depth: expected a number/);
    const invert = await cli(["tree", "--invert", "alcotest", "--json"]);
    expect(invert.code).toBe(1);
    expect(JSON.parse(invert.stdout)).toMatchObject({ ok: false, error: { code: "UNKNOWN_PACKAGE" } });
    const format = await cli(["tree", "--format", "png"]);
    expect(format.code).toBe(124);
  });
});
