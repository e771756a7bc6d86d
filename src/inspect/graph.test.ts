// The dependency graph of a solution, its tree walk (duplicates, depth, inversion) and its texts.
import { describe, expect, it } from "vitest";
import { ROOT, type Requirement } from "../solve/model.js";
import { buildGraph, invertGraph, limitDepth, type GraphPackage } from "./graph.js";
import { graphDot, graphMermaid } from "./graph-render.js";
import { treeText, walkTree } from "./tree-render.js";

const packages: GraphPackage[] = [
  { name: "app", version: "zdev", kind: "local" },
  { name: "fmt", version: "0.9.0", kind: "vendored" },
  { name: "logs", version: "0.7.0", kind: "vendored" },
  { name: "ocaml", version: "4.14.2", kind: "opam" },
  { name: "ocaml-base-compiler", version: "4.14.2", kind: "opam" },
];

const req = (by: string, constraint = ""): Requirement => ({ by, byVersion: "", constraint });

const requiredBy = new Map<string, Requirement[]>([
  ["app", [req(ROOT)]],
  ["fmt", [req("app", ">= 0.9"), req("logs")]],
  ["logs", [req("app")]],
  ["ocaml", [req("app", ">= 4.08"), req("fmt", ">= 4.08"), req("logs", ">= 4.08"), req("ocaml-base-compiler", "= 4.14.2")]],
  ["ocaml-base-compiler", [req(ROOT), req("ocaml", ">= 4.14.2~ & < 4.14.3~")]],
  ["not-locked", [req("app")]],
]);

const graph = buildGraph({ rootPackages: ["app"], packages, requiredBy });

describe("the dependency graph", () => {
  it("keeps edges between known packages, sorted, with their constraints", () => {
    expect(graph.roots).toEqual(["app"]);
    expect(graph.edges.get("app")).toEqual([
      { from: "app", to: "fmt", constraint: ">= 0.9" },
      { from: "app", to: "logs", constraint: "" },
      { from: "app", to: "ocaml", constraint: ">= 4.08" },
    ]);
    expect(graph.edges.get("fmt")!.map((edge) => edge.to)).toEqual(["ocaml"]);
  });

  it("adds a root for what the root packages do not reach", () => {
    const alone = buildGraph({ rootPackages: ["app"], packages, requiredBy: new Map([["ocaml-base-compiler", [req(ROOT)]]]) });
    expect(alone.roots).toEqual(["app", "ocaml-base-compiler", "fmt", "logs", "ocaml"]);
  });

  it("walks as a tree: dependencies shown once, repeats marked, leaves repeated plainly", () => {
    expect(treeText(walkTree(graph, Infinity), { constraints: false })).toBe(
      [
        "app zdev (local)",
        "├── fmt 0.9.0",
        "│   └── ocaml 4.14.2 (opam)",
        "│       └── ocaml-base-compiler 4.14.2 (opam)",
        "│           └── ocaml 4.14.2 (opam) (*)",
        "├── logs 0.7.0",
        "│   ├── fmt 0.9.0 (*)",
        "│   └── ocaml 4.14.2 (opam) (*)",
        "└── ocaml 4.14.2 (opam) (*)",
        "",
      ].join("\n"),
    );
  });

  it("stops at a depth and shows constraints on demand", () => {
    const tree = walkTree(graph, 1);
    expect(tree[0]!.dependencies.map((node) => [node.name, node.truncated])).toEqual([["fmt", true], ["logs", true], ["ocaml", true]]);
    expect(treeText(tree, { constraints: true })).toBe("app zdev (local)\n├── fmt 0.9.0 {>= 0.9}\n├── logs 0.7.0\n└── ocaml 4.14.2 {>= 4.08} (opam)\n");
    expect(treeText(walkTree(graph, 0), { constraints: false })).toBe("app zdev (local)\n");
  });

  it("inverts: who needs a package, up to the roots", () => {
    expect(treeText(walkTree(invertGraph(graph, "fmt"), Infinity), { constraints: true })).toBe(
      "fmt 0.9.0\n├── app zdev {>= 0.9} (local)\n└── logs 0.7.0\n    └── app zdev (local)\n",
    );
  });

  it("limits the graph to a depth for pictures", () => {
    const limited = limitDepth(graph, 1);
    expect([...limited.packages.keys()]).toEqual(["app", "fmt", "logs", "ocaml"]);
    expect(limited.edges.get("ocaml")).toEqual([]);
  });
});

describe("pictures", () => {
  it("writes DOT with quoted names, styled kinds and constraint labels", () => {
    const dot = graphDot(graph, 'a "quoted" title');
    expect(dot).toContain('digraph "a \\"quoted\\" title" {');
    expect(dot).toContain('  "app" [label="app\\nzdev", style="bold,filled", fillcolor="#dbeafe"];');
    expect(dot).toContain('  "ocaml" [label="ocaml\\n4.14.2", style="dashed"];');
    expect(dot).toContain('  "app" -> "fmt" [label=">= 0.9"];');
    expect(dot).toContain('  "app" -> "logs";');
  });

  it("writes Mermaid with generated ids and escaped labels", () => {
    const mermaid = graphMermaid(graph);
    expect(mermaid.split("\n").slice(0, 3)).toEqual(["flowchart LR", '  p0["app zdev"]', '  p1["fmt 0.9.0"]']);
    expect(mermaid).toContain('  p0 -->|"#62;= 0.9"| p1');
    expect(mermaid).toContain('  p3 -->|"#62;= 4.14.2~ #38; #60; 4.14.3~"| p4');
    expect(mermaid).toContain("  class p0 local;");
    expect(mermaid).toContain("  class p3,p4 opam;");
  });
});
