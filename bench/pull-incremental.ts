// Benchmark of incremental `pull` (below the CLI), on bench/pull.ts's 100 archives and loopback
// server (50 ms latency): a full warm-cache pull into a fresh root, then in that root a re-pull
// with the lock unchanged, and a re-pull after a one-package change, against the time a pull of
// that package alone takes. Rounds are interleaved; prints each figure and the ratios (medians).
// Run: `npm run build && npm run bench:pull-incremental` (BENCH_ROUNDS, default 5; BENCH_KEEP=1).
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DuniverseRepo } from "../src/duniverse/plan.js";
import { DownloadCache } from "../src/fetch/cache.js";
import { defaultJobs } from "../src/fetch/settings.js";
import { makeArchive } from "../test/helpers/archives.js";
import { hashesOf } from "../test/helpers/pull-world.js";
import { COUNT, formatOf, generate, LATENCY_MS, startRemoteServer, timedPull } from "./pull.js";

const CHANGED = 50;

/** A second release of package CHANGED: same tree with one more module, same archive format. */
function secondRelease(repo: DuniverseRepo, sources: string, served: string, baseUrl: string): DuniverseRepo {
  const name = repo.dir;
  const tree = path.join(sources, `${name}-next`);
  cpSync(path.join(sources, name, `${name}-1.0`), path.join(tree, `${name}-1.1`), { recursive: true });
  writeFileSync(path.join(tree, `${name}-1.1`, "src", "added.ml"), "let added = ()\n");
  const file = `${name}-1.1.${formatOf(CHANGED)}`;
  const out = makeArchive(tree, [`${name}-1.1`], path.join(served, file), formatOf(CHANGED));
  return { ...repo, url: `${baseUrl}/${file}`, hashes: hashesOf(out, ["sha256", "sha512"]) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

interface Round {
  full: number;
  unchanged: number;
  oneChange: number;
  alone: number;
}

async function round(scratch: string, index: number, repos: DuniverseRepo[], changed: DuniverseRepo[], cache: DownloadCache, jobs: number): Promise<Round> {
  const root = path.join(scratch, `round-${index}`);
  const full = await timedPull(root, repos, cache, jobs);
  const unchanged = await timedPull(root, repos, cache, jobs);
  if (unchanged.summary.kept !== COUNT) throw new Error(`the unchanged re-pull kept ${unchanged.summary.kept} of ${COUNT}`);
  const oneChange = await timedPull(root, changed, cache, jobs);
  if (oneChange.summary.pulled !== 1) throw new Error(`the one-package change pulled ${oneChange.summary.pulled}`);
  const alone = await timedPull(path.join(scratch, `alone-${index}`), [changed[CHANGED]!], cache, jobs);
  return { full: full.ms, unchanged: unchanged.ms, oneChange: oneChange.ms, alone: alone.ms };
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "bench-pull-incremental-"));
  const served = path.join(scratch, "served");
  mkdirSync(served);
  const server = await startRemoteServer(served, LATENCY_MS);
  try {
    const sources = path.join(scratch, "sources");
    const repos = generate(served, sources, server.url);
    const changed = repos.map((repo, index) => (index === CHANGED ? secondRelease(repo, sources, served, server.url) : repo));
    const jobs = defaultJobs(process.env);
    const cache = new DownloadCache(path.join(scratch, "cache"));
    // Fill the cache with both releases: every measured pull is a warm-cache pull.
    await timedPull(path.join(scratch, "prime"), changed, cache, jobs);
    await timedPull(path.join(scratch, "prime"), repos, cache, jobs);
    const rounds: Round[] = [];
    for (let index = 0; index < Number(process.env.BENCH_ROUNDS ?? 5); index++) rounds.push(await round(scratch, index, repos, changed, cache, jobs));
    report(rounds, jobs);
  } finally {
    server.close();
    if (process.env.BENCH_KEEP) console.log(`kept ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
}

function report(rounds: Round[], jobs: number): void {
  const ms = (values: number[]) => values.map((value) => Math.round(value)).join(" / ");
  for (const key of ["full", "unchanged", "oneChange", "alone"] as const) console.log(`${key.padEnd(10)} ${ms(rounds.map((r) => r[key]))} ms`);
  const full = median(rounds.map((r) => r.full));
  const unchangedRatio = median(rounds.map((r) => r.unchanged / r.full));
  const changeOverhead = median(rounds.map((r) => (r.oneChange - r.alone) / r.full));
  const results = {
    jobs,
    fullWarmMs: Math.round(full),
    unchangedMs: Math.round(median(rounds.map((r) => r.unchanged))),
    oneChangeMs: Math.round(median(rounds.map((r) => r.oneChange))),
    aloneMs: Math.round(median(rounds.map((r) => r.alone))),
    unchangedOverFull: +unchangedRatio.toFixed(3),
    oneChangeOverheadOverFull: +changeOverhead.toFixed(3),
    loadAverage: +os.loadavg()[0].toFixed(1),
  };
  console.log(`${COUNT} archives, ${jobs} jobs, ${LATENCY_MS} ms latency; medians of ${rounds.length} interleaved rounds (load average ${results.loadAverage})`);
  console.log(`re-pull, lock unchanged: ${results.unchangedMs} ms = ${results.unchangedOverFull}x the full warm-cache pull (${results.fullWarmMs} ms) (target <= 0.1)`);
  console.log(`re-pull after a one-package change: ${results.oneChangeMs} ms = that package alone (${results.aloneMs} ms) + ${results.oneChangeOverheadOverFull}x the full pull (target <= 0.1)`);
  console.log(JSON.stringify(results));
}

await main();
