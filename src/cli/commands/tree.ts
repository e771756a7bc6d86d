// `tree`: the lock file's solution as a tree from the root packages (`cargo tree`, `npm ls`), with
// --depth, --invert PKG, repeated packages marked (*); or the whole graph as DOT or Mermaid.
import { Option, type Command } from "commander";
import { UserError } from "../../core/errors.js";
import { buildGraph, invertGraph, limitDepth, type DependencyGraph } from "../../inspect/graph.js";
import { graphDot, graphMermaid } from "../../inspect/graph-render.js";
import { treeText, walkTree } from "../../inspect/tree-render.js";
import { lockedPackages, notLocked, solveLockfile, warnIfStale, type LockedSolve } from "../locked-solve.js";
import { configureLockOptions, type LockOptions } from "./lock.js";
import type { CommandContext, CommandSpec } from "./index.js";

interface TreeOptions extends LockOptions {
  depth?: string;
  invert?: string;
  format: "text" | "dot" | "mermaid";
  constraints: boolean;
}

function parseDepth(text: string | undefined): number {
  if (text === undefined) return Infinity;
  if (!/^\d{1,6}$/.test(text)) throw new UserError("BAD_ARGUMENT", `option --depth: expected a number of levels (0 or more), got ${JSON.stringify(text)}`);
  return Number(text);
}

export function lockGraph(solved: LockedSolve): DependencyGraph {
  return buildGraph({ rootPackages: solved.lockfile.rootPackages, packages: lockedPackages(solved), requiredBy: solved.result.requiredBy });
}

function output(graph: DependencyGraph, options: TreeOptions, depth: number, title: string): string {
  if (options.format === "dot") return graphDot(limitDepth(graph, depth), title);
  if (options.format === "mermaid") return graphMermaid(limitDepth(graph, depth));
  const tree = walkTree(graph, depth);
  if (!options.json) return treeText(tree, { constraints: options.constraints });
  const packages = [...graph.packages.values()].map((pkg) => ({ ...pkg, dependencies: (graph.edges.get(pkg.name) ?? []).map(({ to, constraint }) => ({ name: to, constraint })) }));
  return `${JSON.stringify({ ok: true, roots: graph.roots, tree, packages }, null, 2)}\n`;
}

async function runTree(context: CommandContext, options: TreeOptions): Promise<number> {
  const depth = parseDepth(options.depth);
  const invert = options.invert;
  const solved = await solveLockfile(context, options, (lockfile, file) => {
    if (invert !== undefined && !lockfile.depends.some((d) => d.name === invert) && !lockfile.rootPackages.includes(invert)) throw notLocked(invert, file, lockfile);
  });
  warnIfStale(context.reporter, solved.lockfile, solved.result, solved.file, "The edges below are those of the fresh solve");
  const full = lockGraph(solved);
  const graph = invert === undefined ? full : invertGraph(full, invert);
  const title = invert === undefined ? solved.lockfile.rootPackages.join(" ") : `${invert} (inverted)`;
  let text = output(graph, options, depth, title);
  if (options.json && options.format === "text") text = text.replace('"ok": true,', `"ok": true,\n  "lockfile": ${JSON.stringify(solved.file)},`);
  context.stdout.write(text);
  return 0;
}

export const treeCommand: CommandSpec = {
  name: "tree",
  summary: "show the locked packages as a dependency tree from the root packages (or as a DOT / Mermaid graph)",
  examples: [
    "opam-monorepo tree",
    "opam-monorepo tree --depth 1",
    "opam-monorepo tree --invert dune      # who needs dune",
    "opam-monorepo tree --format dot | dot -Tsvg > deps.svg",
    "opam-monorepo tree --format mermaid   # paste into a ```mermaid block on GitHub",
    "opam-monorepo tree --json",
  ],
  configure(command: Command) {
    configureLockOptions(command);
    const lockfile = command.options.find((option) => option.long === "--lockfile");
    if (lockfile) lockfile.description = "the lock file to show (default: the only *.opam.locked at the root)";
    const json = command.options.find((option) => option.long === "--json");
    if (json) json.description = "print the tree and the graph as JSON (with --format text)";
    command
      .option("-d, --depth <n>", "show N levels below the root packages (default: all)")
      .option("-i, --invert <package>", "show the packages that need PACKAGE, up to the root packages")
      .option("-c, --constraints", "show each dependency's version constraint", false)
      .addOption(new Option("-f, --format <format>", "text tree, Graphviz DOT or Mermaid flowchart").choices(["text", "dot", "mermaid"]).default("text"));
  },
  run(context, options) {
    return runTree(context, options as unknown as TreeOptions);
  },
};
