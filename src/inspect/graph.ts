// PURE: the solution of a lock file as a dependency graph (packages, who needs whom and with which
// constraint), and its views: the part reachable from some packages within a depth, and the graph
// inverted (who needs a package). No I/O; the CLI builds it from a re-solve of the lock file.
import { ROOT, type Requirement } from "../solve/model.js";
import { bytewise } from "../core/compare.js";

/** local: a package of the project; vendored: pulled into duniverse/; opam: installed by opam (not vendored). */
export type PackageKind = "local" | "vendored" | "opam";

export interface GraphPackage {
  name: string;
  version: string;
  kind: PackageKind;
}

/** `from` needs `to`; `constraint` is the version formula ("" = any version). */
export interface GraphEdge {
  from: string;
  to: string;
  constraint: string;
}

export interface DependencyGraph {
  /** The starting points: the lock file's root packages, then any package they do not reach (the request's compiler). */
  roots: string[];
  /** By name, sorted by name. */
  packages: Map<string, GraphPackage>;
  /** Outgoing edges of each package, sorted by target name. */
  edges: Map<string, GraphEdge[]>;
}

export interface GraphInput {
  rootPackages: readonly string[];
  packages: readonly GraphPackage[];
  /** For each selected package, who needs it (the solver's requiredBy). */
  requiredBy: ReadonlyMap<string, readonly Requirement[]>;
}

/** Joins the constraints of several requirements of one package on another ("" when any is ""). */
function joinConstraints(constraints: readonly string[]): string {
  const unique = [...new Set(constraints)];
  if (unique.includes("")) return unique.length === 1 ? "" : unique.filter((c) => c !== "").join(" & ");
  return unique.join(" & ");
}

export function buildGraph(input: GraphInput): DependencyGraph {
  const packages = new Map([...input.packages].sort((a, b) => bytewise(a.name, b.name)).map((pkg) => [pkg.name, pkg]));
  const found = new Map<string, Map<string, string[]>>();
  const requested: string[] = [];
  for (const [to, requirements] of input.requiredBy) {
    if (!packages.has(to)) continue;
    for (const requirement of requirements) {
      if (requirement.by === ROOT) requested.push(to);
      if (!packages.has(requirement.by) || requirement.by === to) continue;
      let targets = found.get(requirement.by);
      if (targets === undefined) found.set(requirement.by, (targets = new Map()));
      targets.set(to, [...(targets.get(to) ?? []), requirement.constraint]);
    }
  }
  const edges = new Map<string, GraphEdge[]>();
  for (const name of packages.keys()) {
    const targets = [...(found.get(name) ?? new Map<string, string[]>())].sort(([a], [b]) => bytewise(a, b));
    edges.set(name, targets.map(([to, constraints]) => ({ from: name, to, constraint: joinConstraints(constraints) })));
  }
  const roots = [...input.rootPackages.filter((name) => packages.has(name))];
  // What the request needs directly (the compiler), then anything else, when no root reaches it.
  for (const name of [...[...new Set(requested)].sort(bytewise), ...packages.keys()]) {
    if (!reachable(roots, edges, Infinity).has(name)) roots.push(name);
  }
  return { roots, packages, edges };
}

/** Names reachable from `starts` in at most `depth` steps (the starts included). */
export function reachable(starts: readonly string[], edges: ReadonlyMap<string, readonly GraphEdge[]>, depth: number): Set<string> {
  const seen = new Set(starts);
  let frontier = [...starts];
  for (let level = 0; level < depth && frontier.length > 0; level++) {
    const next: string[] = [];
    for (const name of frontier) {
      for (const edge of edges.get(name) ?? []) {
        if (seen.has(edge.to)) continue;
        seen.add(edge.to);
        next.push(edge.to);
      }
    }
    frontier = next;
  }
  return seen;
}

/** The graph with every edge reversed (`from` is then the needed package), starting from `name`. */
export function invertGraph(graph: DependencyGraph, name: string): DependencyGraph {
  const edges = new Map<string, GraphEdge[]>([...graph.packages.keys()].map((key) => [key, []]));
  for (const list of graph.edges.values()) {
    for (const edge of list) edges.get(edge.to)!.push({ from: edge.to, to: edge.from, constraint: edge.constraint });
  }
  for (const list of edges.values()) list.sort((a, b) => bytewise(a.to, b.to));
  return { roots: [name], packages: graph.packages, edges };
}

/** The part of the graph within `depth` steps of its roots (edges between kept packages only). */
export function limitDepth(graph: DependencyGraph, depth: number): DependencyGraph {
  const kept = reachable(graph.roots, graph.edges, depth);
  const packages = new Map([...graph.packages].filter(([name]) => kept.has(name)));
  const edges = new Map([...graph.edges].filter(([name]) => kept.has(name)).map(([name, list]) => [name, list.filter((edge) => kept.has(edge.to))]));
  return { roots: graph.roots, packages, edges };
}
