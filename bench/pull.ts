// Benchmark of `pull` below the CLI: 100 generated archives (≈40% .tbz) served on loopback with
// 50 ms of latency per request. Prints the parallel pull time, the ideal schedule for the job
// count, a sequential baseline, extraction time against GNU tar, and the warm-cache request count.
// Run: `npm run build && node dist/bench/pull.js` (never part of `npm test`). On a journal-less
// ext4 (this VM), creating files is several times slower for up to 5 minutes after many files were
// deleted nearby, and the run deletes its scratch directory at the end: for runs back to back,
// set BENCH_KEEP=1 (the scratch directory is kept and named) and delete them afterwards.
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { pullDuniverse, type PullSummary } from "../src/duniverse/pull.js";
import type { DuniverseRepo } from "../src/duniverse/plan.js";
import type { Reporter } from "../src/core/reporter.js";
import { silentReporter } from "../src/core/reporter.js";
import { DownloadCache } from "../src/fetch/cache.js";
import { extractArchive } from "../src/fetch/extract.js";
import { defaultJobs } from "../src/fetch/settings.js";
import { makeArchive, writeTree, type ArchiveFormat, type TreeEntry } from "../test/helpers/archives.js";
import { hashesOf } from "../test/helpers/pull-world.js";
import { moduleText, seeded, vocabulary } from "./ocaml-like.js";

export const COUNT = 100;
export const LATENCY_MS = 50;

export function formatOf(index: number): ArchiveFormat {
  const slot = index % 10;
  return slot < 4 ? "tbz" : slot < 7 ? "tar.gz" : slot === 7 ? "tar.xz" : slot === 8 ? "zip" : index % 20 === 9 ? "tar" : "tgz";
}

/**
 * 100 source archives, 2 KB to 420 KB of OCaml-like source each (most of them small, as on
 * opam-repository), ~6 KB per file: about 13 MB of source, 3 MB of archives in all. Their
 * source trees stay in `sources` until the end: on this VM's journal-less ext4, deleting ~2,600
 * files makes creating files 5-20x slower for minutes, which the pulls would pay.
 */
export function generate(dir: string, sources: string, baseUrl: string, formatFor: (index: number) => ArchiveFormat = formatOf): DuniverseRepo[] {
  const next = seeded(42);
  return Array.from({ length: COUNT }, (_, index) => {
    const name = `pkg${String(index).padStart(3, "0")}`;
    const words = vocabulary(next);
    const target = Math.floor(1_500 + next() ** 2.2 * 420_000);
    const files = Math.max(2, Math.round(target / 6_000));
    const tree: Record<string, TreeEntry> = { "dune-project": "(lang dune 3.0)\n", "bin/run.sh": { content: "#!/bin/sh\n", mode: 0o755 } };
    for (let file = 0; file < files; file++) tree[`src/m${file}.ml`] = moduleText(next, words, target / files);
    const format = formatFor(index);
    const fileName = index % 25 === 3 ? `${name}-tarball` : `${name}.${format}`;
    writeTree(path.join(sources, name, `${name}-1.0`), tree);
    const out = makeArchive(path.join(sources, name), [`${name}-1.0`], path.join(dir, fileName), format);
    return { dir: name, url: `${baseUrl}/${fileName}`, hashes: hashesOf(out, ["sha256", "sha512"]), provides: [] };
  });
}

/** Records when each repository finished (the pull reports `Pulled duniverse/<dir>` at info level). */
function timingReporter(): Reporter & { done: number[] } {
  const done: number[] = [];
  return { ...silentReporter, done, info: (message: string) => void (message.startsWith("Pulled ") && done.push(performance.now())) };
}

export async function timedPull(root: string, repos: DuniverseRepo[], cache: DownloadCache, jobs: number, reporter: Reporter = silentReporter): Promise<{ ms: number; summary: PullSummary }> {
  const start = performance.now();
  const summary = await pullDuniverse({ root, repos, cache, jobs, keepGitDir: false, keepSymlinkedDir: false, retries: 3, mirrors: [], offline: false, noChecksums: false, requireChecksums: false, reporter });
  return { ms: performance.now() - start, summary };
}

/** Makespan of list-scheduling the longest jobs first on `workers` (a lower bound is sum/workers). */
function idealMakespan(times: number[], workers: number): number {
  const loads = new Array<number>(workers).fill(0);
  for (const time of [...times].sort((a, b) => b - a)) {
    const least = loads.indexOf(Math.min(...loads));
    loads[least] += time;
  }
  return Math.max(...loads);
}

async function extractionComparison(archives: string[], scratch: string): Promise<{ ours: number; gnu: number; bytes: number }> {
  let ours = Infinity;
  let gnu = Infinity;
  for (let round = 0; round < 3; round++) {
    const base = path.join(scratch, `extract-${round}`);
    let start = performance.now();
    for (const [index, archive] of archives.entries()) await extractArchive(archive, path.join(base, "ours", String(index)), archive);
    ours = Math.min(ours, performance.now() - start);
    start = performance.now();
    for (const [index, archive] of archives.entries()) {
      const out = path.join(base, "gnu", String(index));
      mkdirSync(out, { recursive: true });
      if (formatOf(index) === "zip") execFileSync("unzip", ["-q", archive, "-d", out]);
      else execFileSync("tar", ["-xf", archive, "-C", out]);
    }
    gnu = Math.min(gnu, performance.now() - start);
    rmSync(base, { recursive: true, force: true });
  }
  return { ours, gnu, bytes: archives.reduce((sum, archive) => sum + statSync(archive).size, 0) };
}

/** The loopback server runs in its own process (as a real server would), driven over IPC. */
export interface RemoteServer {
  url: string;
  /** Requests answered and CPU time the server process has used, so far. */
  stats(): Promise<{ requests: number; cpuMs: number }>;
  close(): void;
}

export async function startRemoteServer(dir: string, latencyMs: number): Promise<RemoteServer> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--serve", dir, String(latencyMs)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const url = await new Promise<string>((resolve) => child.once("message", (reply) => resolve((reply as { url: string }).url)));
  const stats = () =>
    new Promise<{ requests: number; cpuMs: number }>((resolve) => {
      child.once("message", (reply) => resolve(reply as { requests: number; cpuMs: number }));
      child.send({ op: "stats" });
    });
  return { url, stats, close: () => child.kill() };
}

/**
 * Stands for a remote server (whose CPU would not be ours to share): each archive is read once,
 * then served from memory after `latencyMs`, over keep-alive connections.
 */
async function serveForParent(dir: string, latencyMs: number): Promise<void> {
  const bodies = new Map<string, Buffer>();
  let requests = 0;
  const server = http.createServer((request, response) => {
    requests++;
    setTimeout(() => {
      const name = path.basename(decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname));
      let body = bodies.get(name);
      if (body === undefined && existsSync(path.join(dir, name))) bodies.set(name, (body = readFileSync(path.join(dir, name))));
      if (body === undefined) return void response.writeHead(404).end();
      response.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length }).end(body);
    }, latencyMs);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  process.on("message", () => {
    const cpu = process.cpuUsage();
    process.send!({ requests, cpuMs: (cpu.user + cpu.system) / 1000 });
  });
  process.send!({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

/** CPU time every process of the machine has used since boot (Linux's /proc/stat), in ms. */
function machineBusyMs(): number {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields;
    return ((user + nice + system + irq + softirq + steal) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** Sequential, parallel and warm pulls of `repos`, and the per-archive times of the sequential one. */
async function measurePulls(scratch: string, repos: DuniverseRepo[], server: RemoteServer, jobs: number) {
  const sequentialReporter = timingReporter();
  const sequentialStart = performance.now();
  const sequential = await timedPull(path.join(scratch, "seq"), repos, new DownloadCache(path.join(scratch, "cache-seq")), 1, sequentialReporter);
  const service = sequentialReporter.done.map((time, index) => time - (index === 0 ? sequentialStart : sequentialReporter.done[index - 1]));
  const [serverBefore, machineBefore, cpuBefore] = [(await server.stats()).cpuMs, machineBusyMs(), process.cpuUsage()];
  // With BENCH_MARK set, prints the parallel pull's window on the clock of `node --cpu-prof`.
  if (process.env.BENCH_MARK) console.log(`mark start ${process.hrtime.bigint() / 1000n}`);
  const parallel = await timedPull(path.join(scratch, "par"), repos, new DownloadCache(path.join(scratch, "cache-par")), jobs);
  if (process.env.BENCH_MARK) console.log(`mark end ${process.hrtime.bigint() / 1000n}`);
  const cpu = process.cpuUsage(cpuBefore);
  const machineMs = machineBusyMs() - machineBefore;
  const { cpuMs: serverAfter, requests: requestsBefore } = await server.stats();
  const serverMs = serverAfter - serverBefore;
  if (process.env.BENCH_MARK) console.log(`mark warm ${process.hrtime.bigint() / 1000n}`);
  const warm = await timedPull(path.join(scratch, "warm"), repos, new DownloadCache(path.join(scratch, "cache-par")), jobs);
  if (process.env.BENCH_MARK) console.log(`mark warm-end ${process.hrtime.bigint() / 1000n}`);
  const warmRequests = (await server.stats()).requests - requestsBefore;
  return { sequential, service, parallel, parallelCpuMs: (cpu.user + cpu.system) / 1000, serverMs, machineMs, warm, warmRequests };
}

type Pulls = Awaited<ReturnType<typeof measurePulls>>;
type Extraction = Awaited<ReturnType<typeof extractionComparison>>;

function report(pulls: Pulls, extraction: Extraction, jobs: number): void {
  const { sequential, service, parallel, warm } = pulls;
  const ideal = idealMakespan(service, jobs);
  // What the 16-worker schedule assumes away: the work beyond each request's latency
  // (transfer, checksums, decompression, writing files) needs a core, and there are `cores`.
  const cores = os.availableParallelism();
  const work = service.reduce((sum, time) => sum + Math.max(0, time - LATENCY_MS), 0);
  const machineIdeal = Math.max(ideal, work / cores);
  const results = {
    jobs,
    parallelMs: Math.round(parallel.ms),
    idealMs: Math.round(ideal),
    parallelOverIdeal: +(parallel.ms / ideal).toFixed(2),
    workMs: Math.round(work),
    machineIdealMs: Math.round(machineIdeal),
    parallelOverMachineIdeal: +(parallel.ms / machineIdeal).toFixed(2),
    sequentialMs: Math.round(sequential.ms),
    speedupOverSequential: +(sequential.ms / parallel.ms).toFixed(1),
    extractionOursMs: Math.round(extraction.ours),
    extractionGnuTarMs: Math.round(extraction.gnu),
    extractionRatio: +(extraction.ours / extraction.gnu).toFixed(2),
    extractionMiBps: +((extraction.bytes / 1048576) / (extraction.ours / 1000)).toFixed(1),
    warmMs: Math.round(warm.ms),
    warmRequests: pulls.warmRequests,
    warmFromCache: warm.summary.fromCache,
    parallelCpuMs: Math.round(pulls.parallelCpuMs),
    serverCpuMs: Math.round(pulls.serverMs),
    machineBusyMs: Math.round(pulls.machineMs),
    loadAverage: +os.loadavg()[0].toFixed(1),
  };
  const sorted = [...service].sort((a, b) => a - b);
  console.log(`pull, ${jobs} jobs (cold cache): ${results.parallelMs} ms (${parallel.summary.requests} requests; ${results.parallelCpuMs} ms of CPU in this process; load average ${results.loadAverage} on ${cores} CPUs)`);
  console.log(`  CPU during it: the whole machine ${results.machineBusyMs} ms of ${Math.round(parallel.ms * cores)} ms available (the loopback server ${results.serverCpuMs} ms; decoders, kernel): no schedule of that work on ${cores} cores ends before ${Math.round(results.machineBusyMs / cores)} ms`);
  console.log(`ideal schedule on ${jobs} workers of the measured per-archive times: ${results.idealMs} ms -> ${results.parallelOverIdeal}x ideal (target <= 1.3)`);
  console.log(`ideal on this machine (${results.workMs} ms of work beyond the latency, over ${cores} cores): ${results.machineIdealMs} ms -> ${results.parallelOverMachineIdeal}x`);
  console.log(`sequential download+extract (1 job): ${results.sequentialMs} ms -> ${results.speedupOverSequential}x faster in parallel (target >= 8); per archive min ${sorted[0]!.toFixed(0)}, median ${sorted[COUNT >> 1]!.toFixed(0)}, max ${sorted[COUNT - 1]!.toFixed(0)} ms`);
  console.log(`extraction of the ${COUNT} archives, one at a time: ours ${results.extractionOursMs} ms vs GNU tar/unzip ${results.extractionGnuTarMs} ms -> ${results.extractionRatio}x (target <= 1.5), ${results.extractionMiBps} MiB/s of archives`);
  console.log(`warm-cache pull into a fresh directory: ${results.warmMs} ms, ${results.warmRequests} requests, ${results.warmFromCache}/${COUNT} from cache`);
  console.log(JSON.stringify(results));
}

export const COUNT_ARCHIVES = COUNT;
export const LATENCY = LATENCY_MS;

async function main(): Promise<void> {
  if (process.argv[2] === "--serve") return serveForParent(process.argv[3], Number(process.argv[4]));
  if (process.argv[2] === "--profile-warm") return profileWarm(process.argv[3], Number(process.argv[4] ?? defaultJobs(process.env)));
  const scratch = mkdtempSync(path.join(os.tmpdir(), "bench-pull-"));
  const served = path.join(scratch, "served");
  mkdirSync(served);
  const server = await startRemoteServer(served, LATENCY_MS);
  try {
    const repos = generate(served, path.join(scratch, "sources"), server.url);
    const archives = repos.map((repo) => path.join(served, path.basename(repo.url)));
    const sizes = archives.map((file) => statSync(file).size);
    const tbz = repos.filter((_, index) => formatOf(index) === "tbz").length;
    const jobs = defaultJobs(process.env);
    console.log(`archives: ${COUNT} (${tbz} .tbz), ${(sizes.reduce((a, b) => a + b, 0) / 1048576).toFixed(2)} MiB of archives, ${Math.min(...sizes)}..${Math.max(...sizes)} bytes; latency ${LATENCY_MS} ms/request; cpus ${os.cpus().length}`);
    const pulls = await measurePulls(scratch, repos, server, jobs);
    report(pulls, await extractionComparison(archives, scratch), jobs);
  } finally {
    server.close();
    if (process.env.BENCH_KEEP) console.log(`kept ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * `node --cpu-prof dist/bench/pull.js --profile-warm <kept scratch dir> [jobs]`: one cold pull
 * from a server in another process (with the latency), then one warm pull, for profiling.
 */
async function profileWarm(scratch: string, jobs: number): Promise<void> {
  const served = path.join(scratch, "served");
  const server = await startRemoteServer(served, LATENCY_MS);
  try {
    const names = (await import("node:fs")).readdirSync(served).sort();
    const repos = names.map((name) => ({ dir: name, url: `${server.url}/${name}`, hashes: hashesOf(path.join(served, name), ["sha256", "sha512"]), provides: [] }));
    for (const dir of ["prime", "warm2", "cache-profile"]) rmSync(path.join(scratch, dir), { recursive: true, force: true });
    const cache = new DownloadCache(path.join(scratch, "cache-profile"));
    const cold = await timedPull(path.join(scratch, "prime"), repos, cache, jobs);
    const warm = await timedPull(path.join(scratch, "warm2"), repos, cache, jobs);
    console.log(`${jobs} jobs: cold pull ${Math.round(cold.ms)} ms, warm pull ${Math.round(warm.ms)} ms`);
  } finally {
    server.close();
  }
}

// Run as a script (`node dist/bench/pull.js`, or forked with --serve); bench/reference.ts and
// bench/pull-incremental.ts import it (the archive mix and the server).
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
