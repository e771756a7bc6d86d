// Benchmark: solve a synthetic universe shaped like a large opam solve (~500 package names, ~4,000
// versions, ~40,000 dependency literals, `|` groups, conflicts, a compiler conflict class, cycles).
// Prints the problem size and the solve time (first run and median). Never run by `npm test`.
import { pathToFileURL } from "node:url";
import type { Candidate, Conflict, Implementation, Need, SolverInput } from "../src/solve/model.js";
import { solve } from "../src/solve/solver.js";

export interface SyntheticShape {
  packages: number;
  versions: number;
  /** Average number of forward dependencies per implementation. */
  deps: number;
  seed: number;
}

export const LARGE: SyntheticShape = { packages: 500, versions: 8, deps: 1.1, seed: 1 };

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const atLeast = (name: string, bound: number): Need => ({
  kind: "package",
  name,
  accepts: (version) => Number(version) >= bound,
  constraint: `>= ${bound}`,
});
const below = (name: string, bound: number): Need => ({
  kind: "package",
  name,
  accepts: (version) => Number(version) < bound,
  constraint: `< ${bound}`,
});
const exactly = (name: string, version: number): Need => ({
  kind: "package",
  name,
  accepts: (v) => Number(v) === version,
  constraint: `= ${version}`,
});

/** A deterministic universe: `pkgN` depend on later packages and on `ocaml`, which picks a compiler. */
export function syntheticProblem(shape: SyntheticShape = LARGE): SolverInput {
  const random = mulberry32(shape.seed);
  const table = new Map<string, Candidate[]>();
  const versions = Array.from({ length: shape.versions }, (_, i) => shape.versions - i); // newest first
  const add = (impl: Implementation): void => {
    table.set(impl.name, [...(table.get(impl.name) ?? []), { ok: true, impl }]);
  };
  for (const v of versions) {
    const compilers: Need = { kind: "any", needs: [exactly("base-compiler", v), exactly("variants", v)] };
    add({ name: "ocaml", version: String(v), needs: compilers, conflicts: [], conflictClasses: [] });
    for (const name of ["base-compiler", "variants"]) {
      const back = exactly("ocaml", v); // like ocaml-compiler's {post} edge back to ocaml: a cycle
      add({ name, version: String(v), needs: back, conflicts: [], conflictClasses: ["core-compiler"] });
    }
  }
  for (let i = 0; i < shape.packages; i++) {
    const name = `pkg${i}`;
    for (const v of versions) add(syntheticImpl(shape, random, i, v));
    if (i % 37 === 5) table.set(name, [...(table.get(name) ?? []), { ok: false, name, version: "99", rejection: { kind: "unavailable" } }]);
  }
  const roots = Array.from({ length: 10 }, (_, i) => ({ name: `pkg${i * Math.floor(shape.packages / 10)}` }));
  return { roots, candidates: (name) => table.get(name) ?? [] };
}

function syntheticImpl(shape: SyntheticShape, random: () => number, index: number, version: number): Implementation {
  const target = (): string => `pkg${index + 1 + Math.floor(random() * Math.min(60, shape.packages - index - 1))}`;
  const needs: Need[] = random() < 0.5 ? [atLeast("ocaml", 1 + Math.floor(random() * 4))] : [];
  if (index < shape.packages - 1) {
    const count = Math.floor(shape.deps) + (random() < shape.deps % 1 ? 1 : 0);
    for (let d = 0; d < count; d++) {
      const roll = random();
      const bound = 1 + Math.floor(random() * shape.versions);
      if (roll < 0.03) needs.push({ kind: "any", needs: [atLeast(target(), bound), atLeast(target(), 1)] });
      else if (roll < 0.55) needs.push(atLeast(target(), Math.min(bound, 5)));
      else if (roll < 0.75) needs.push(below(target(), Math.max(bound, 3)));
      else needs.push({ kind: "package", name: target(), constraint: "" });
    }
  }
  if (index % 25 === 24) needs.push({ kind: "package", name: `pkg${index - 5}`, constraint: "" }); // back edge
  const conflicts: Conflict[] = [];
  if (index < shape.packages - 1 && random() < 0.15) {
    const bound = 2 + Math.floor(random() * (shape.versions - 2));
    conflicts.push({ name: target(), rejects: (v) => Number(v) === bound, constraint: `= ${bound}` });
  }
  return { name: `pkg${index}`, version: String(version), needs: { kind: "all", needs }, conflicts, conflictClasses: [] };
}

function main(): void {
  const rounds = Number(process.argv[2] ?? 20);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let summary = "";
  for (let round = 0; round < rounds; round++) {
    const input = syntheticProblem();
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const result = solve(input);
    const cpu = process.cpuUsage(cpuStart);
    times.push(performance.now() - start);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    const { packages, groups, implementations, literals, decisions, conflicts } = result.stats;
    const outcome = result.ok ? `${result.selection.size} packages selected` : "no solution";
    summary = `${packages} packages + ${groups} | groups, ${implementations} implementations, ${literals} literals; ${decisions} decisions, ${conflicts} conflicts; ${outcome}`;
  }
  console.log(`bench/solve: ${summary}`);
  console.log(`bench/solve: wall ${describeTimes(times)}; CPU ${describeTimes(cpuTimes)} (problem construction + solve)`);
}

function describeTimes(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `first ${times[0].toFixed(1)} ms, median ${median.toFixed(1)} ms, min ${sorted[0].toFixed(1)} ms over ${times.length} runs`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();
