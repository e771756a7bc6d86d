// bench/reference.ts, pull: bench:pull's 100 generated archives (its archive mix) served from
// another process with 50 ms latency per request; one lock file naming them (pin-depends and duniverse-dirs), pulled by ours and by
// 0.4.3 into fresh directories, interleaved: with an empty download cache, then with the cache
// the previous pull filled (0.4.3's is `<opam root>/download-cache`; ours under XDG_CACHE_HOME).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DuniverseRepo } from "../src/duniverse/plan.js";
import { median, ratio, seconds, timed, type Run } from "./measure.js";
import { COUNT_ARCHIVES, LATENCY, formatOf, generate, startRemoteServer } from "./pull.js";
import type { Tools } from "./reference-tools.js";

function lockText(repos: DuniverseRepo[]): string {
  const lines = ['opam-version: "2.0"', 'synopsis: "opam-monorepo generated lockfile"', 'maintainer: "opam-monorepo"', "depends: [", '  "ocaml" {= "4.14.2"}'];
  for (const repo of repos) lines.push(`  "${repo.dir}" {= "1.0" & ?vendor}`);
  lines.push("]", "pin-depends: [");
  for (const repo of repos) lines.push(`  ["${repo.dir}.1.0" "${repo.url}"]`);
  lines.push("]", "x-opam-monorepo-duniverse-dirs: [");
  for (const repo of repos) lines.push(`  ["${repo.url}" "${repo.dir}" [${repo.hashes.map((h) => `"${h}"`).join(" ")}]]`);
  lines.push("]", 'x-opam-monorepo-root-packages: ["bench"]', 'x-opam-monorepo-version: "0.3"', "");
  return lines.join("\n");
}

interface Pulls {
  reference: Run[];
  referenceWarm: Run[];
  ours: Run[];
  oursWarm: Run[];
}

async function pullRound(tools: Tools, base: string, round: number, pulls: Pulls): Promise<void> {
  let fresh = 0;
  const project = () => {
    const dir = path.join(base, `round-${round}`, `p${fresh++}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "dune-project"), "(lang dune 2.9)\n");
    return dir;
  };
  const lockfile = path.join(base, "bench.opam.locked");
  const oursCache = path.join(base, `ours-cache-${round}`);
  const reference = async () => {
    rmSync(path.join(tools.referenceHome, "opamroot", "download-cache"), { recursive: true, force: true });
    pulls.reference.push(await timed(tools.reference, ["pull", "-l", lockfile], project(), tools.referenceEnv({})));
    pulls.referenceWarm.push(await timed(tools.reference, ["pull", "-l", lockfile], project(), tools.referenceEnv({})));
  };
  const ours = async () => {
    pulls.ours.push(await timed(tools.ours, ["pull", "-l", lockfile], project(), tools.oursEnv(oursCache, {})));
    pulls.oursWarm.push(await timed(tools.ours, ["pull", "-l", lockfile], project(), tools.oursEnv(oursCache, {})));
  };
  for (const step of round % 2 === 0 ? [reference, ours] : [ours, reference]) await step();
}

function report(pulls: Pulls, rounds: number): void {
  const cell = (runs: Run[]) => `${seconds(median(runs.map((r) => r.ms)))} s (CPU ${seconds(median(runs.map((r) => r.cpuMs)))}) ${Math.max(...runs.map((r) => r.rssMb)).toFixed(0)} MB`;
  const speedup = (ours: Run[], reference: Run[]) => ratio(median(ours.map((run, i) => reference[i]!.ms / run.ms)));
  const failed = (runs: Run[]) => (runs.some((r) => r.code !== 0) ? ` FAILED: ${runs.find((r) => r.code !== 0)!.stderr.trim().split("\n").slice(-2).join(" ")}` : "");
  console.log(`\npull of ${COUNT_ARCHIVES} archives, ${LATENCY} ms latency, ${rounds} interleaved rounds (median wall, CPU, peak RSS)`);
  console.log(`empty download cache: 0.4.3 ${cell(pulls.reference)}, ours ${cell(pulls.ours)}: ours ${speedup(pulls.ours, pulls.reference)} faster (target ≥ 3×)${failed(pulls.ours)}${failed(pulls.reference)}`);
  console.log(`warm download cache:  0.4.3 ${cell(pulls.referenceWarm)}, ours ${cell(pulls.oursWarm)}: ours ${speedup(pulls.oursWarm, pulls.referenceWarm)} faster (target ≥ 3×)${failed(pulls.oursWarm)}${failed(pulls.referenceWarm)}`);
  const machine = median(pulls.ours.map((r) => r.cpuMs)) / os.availableParallelism();
  console.log(`ours, empty cache, against the machine's CPU bound (its CPU time over ${os.availableParallelism()} cores, ${seconds(machine)} s): ${ratio(median(pulls.ours.map((r) => r.ms)) / machine)}`);
}

export async function benchPulls(tools: Tools, work: string, rounds: number): Promise<void> {
  const base = path.join(work, "pull");
  const served = path.join(base, "served");
  mkdirSync(served, { recursive: true });
  const server = await startRemoteServer(served, LATENCY);
  try {
    // 0.4.3 cannot extract an uncompressed .tar ("Unknown archive type"): those 5 are .tgz here.
    const repos = generate(served, path.join(base, "sources"), server.url, (index) => (formatOf(index) === "tar" ? "tgz" : formatOf(index)));
    writeFileSync(path.join(base, "bench.opam.locked"), lockText(repos));
    const pulls: Pulls = { reference: [], referenceWarm: [], ours: [], oursWarm: [] };
    for (let round = 0; round < rounds; round++) await pullRound(tools, base, round, pulls);
    report(pulls, rounds);
  } finally {
    server.close();
  }
}
