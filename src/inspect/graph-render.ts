// PURE: a dependency graph as Graphviz DOT and as a Mermaid flowchart (which GitHub renders in
// Markdown). Local packages are bold boxes, packages opam installs (not vendored) dashed; edges
// carry the version constraint. Names and versions are quoted, never trusted as syntax.
import type { DependencyGraph, GraphPackage } from "./graph.js";

function dotString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

function dotNode(pkg: GraphPackage): string {
  const style = pkg.kind === "local" ? ', style="bold,filled", fillcolor="#dbeafe"' : pkg.kind === "opam" ? ', style="dashed"' : "";
  return `  ${dotString(pkg.name)} [label=${dotString(`${pkg.name}\n${pkg.version}`)}${style}];`;
}

export function graphDot(graph: DependencyGraph, title: string): string {
  const lines = [
    `digraph ${dotString(title)} {`,
    "  rankdir=LR;",
    '  node [shape=box, fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
  ];
  for (const pkg of graph.packages.values()) lines.push(dotNode(pkg));
  for (const list of graph.edges.values()) {
    for (const edge of list) {
      const label = edge.constraint === "" ? "" : ` [label=${dotString(edge.constraint)}]`;
      lines.push(`  ${dotString(edge.from)} -> ${dotString(edge.to)}${label};`);
    }
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** Mermaid labels: quoted, with `"` and the characters Mermaid reads as markup as entities. */
function mermaidText(text: string): string {
  return text.replace(/[&"<>#|]/g, (c) => `#${c.charCodeAt(0)};`);
}

export function graphMermaid(graph: DependencyGraph): string {
  const ids = new Map([...graph.packages.keys()].map((name, index) => [name, `p${index}`]));
  const lines = ["flowchart LR"];
  for (const pkg of graph.packages.values()) {
    lines.push(`  ${ids.get(pkg.name)}["${mermaidText(`${pkg.name} ${pkg.version}`)}"]`);
  }
  for (const list of graph.edges.values()) {
    for (const edge of list) {
      const label = edge.constraint === "" ? "" : `|"${mermaidText(edge.constraint)}"|`;
      lines.push(`  ${ids.get(edge.from)} -->${label} ${ids.get(edge.to)}`);
    }
  }
  const locals = [...graph.packages.values()].filter((pkg) => pkg.kind === "local").map((pkg) => ids.get(pkg.name));
  const opam = [...graph.packages.values()].filter((pkg) => pkg.kind === "opam").map((pkg) => ids.get(pkg.name));
  lines.push("  classDef local font-weight:bold,fill:#dbeafe;", "  classDef opam stroke-dasharray:4 3;");
  if (locals.length > 0) lines.push(`  class ${locals.join(",")} local;`);
  if (opam.length > 0) lines.push(`  class ${opam.join(",")} opam;`);
  return `${lines.join("\n")}\n`;
}
