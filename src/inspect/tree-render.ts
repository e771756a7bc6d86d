// PURE: a dependency graph walked as a tree from its roots (as `cargo tree` and `npm ls` print it):
// each package's dependencies are shown once, a later occurrence is marked `(*)`; and the text of
// that tree. Returns strings and plain data; the CLI prints them.
import type { DependencyGraph, PackageKind } from "./graph.js";

export interface TreeNode {
  name: string;
  version: string;
  kind: PackageKind;
  /** What the parent asks of this package ("" = any version, or a root). */
  constraint: string;
  /** Shown before: its dependencies are not repeated here. */
  duplicate: boolean;
  /** Dependencies left out by the depth limit. */
  truncated: boolean;
  dependencies: TreeNode[];
}

/** The tree from each root; `depth` counts the levels below the roots (Infinity = all). */
export function walkTree(graph: DependencyGraph, depth: number): TreeNode[] {
  const expanded = new Set<string>();
  const visit = (name: string, constraint: string, level: number): TreeNode => {
    const pkg = graph.packages.get(name)!;
    const edges = graph.edges.get(name) ?? [];
    const node: TreeNode = { name, version: pkg.version, kind: pkg.kind, constraint, duplicate: false, truncated: false, dependencies: [] };
    if (edges.length === 0) return node;
    if (expanded.has(name)) return { ...node, duplicate: true };
    if (level >= depth) return { ...node, truncated: true };
    expanded.add(name);
    node.dependencies = edges.filter((edge) => graph.packages.has(edge.to)).map((edge) => visit(edge.to, edge.constraint, level + 1));
    return node;
  };
  return graph.roots.filter((name) => graph.packages.has(name)).map((name) => visit(name, "", 0));
}

function label(node: TreeNode, constraints: boolean): string {
  let text = `${node.name} ${node.version}`;
  if (constraints && node.constraint !== "") text += ` {${node.constraint}}`;
  if (node.kind === "local") text += " (local)";
  if (node.kind === "opam") text += " (opam)";
  if (node.duplicate) text += " (*)";
  return text;
}

/**
 * hello zdev (local)
 * ├── dune 3.6.2 (opam)
 * └── shout 2.1
 *     └── greet 1.0
 */
export function treeText(roots: readonly TreeNode[], options: { constraints: boolean }): string {
  const lines: string[] = [];
  const walk = (node: TreeNode, prefix: string, last: boolean, top: boolean) => {
    lines.push(top ? label(node, options.constraints) : `${prefix}${last ? "└── " : "├── "}${label(node, options.constraints)}`);
    const childPrefix = top ? "" : `${prefix}${last ? "    " : "│   "}`;
    node.dependencies.forEach((child, index) => walk(child, childPrefix, index === node.dependencies.length - 1, false));
  };
  roots.forEach((root, index) => {
    if (index > 0) lines.push("");
    walk(root, "", true, true);
  });
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
