// Benchmark against the real opam-monorepo 0.4.3 (../shared/reference-tool/run-reference), run in
// the same run, interleaved: `lock` on 8 real requests (the snapshots extracted as directories,
// overlays first), ours warm (index cached), ours cold (empty XDG_CACHE_HOME) and ours warm on the
// `.tar.gz` snapshots, each round against one reference run; then start-up commands and `pull`.
// Prints wall time, CPU time, peak RSS and the median of the per-round ratios. Never run by npm test.
// BENCH_ROUNDS (default 5) rounds; BENCH_ONLY=lock|startup|pull; BENCH_SAVE_LOCKS=DIR keeps our
// lock files (to check that a change leaves them byte-identical).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { projectRoot, sharedDataDir } from "../test/helpers/real-data.js";
import { realSnapshotDirs } from "../test/helpers/real-dirs.js";
import { haveGnuTime, load, median, ratio, seconds, timed, type Run } from "./measure.js";
import { requests, writeProject, type Request, type SnapshotDirs } from "./reference-requests.js";
import { benchStartup } from "./reference-startup.js";
import { benchPulls } from "./reference-pull.js";
import { referenceCommand, type Tools } from "./reference-tools.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TARGETS = { warm: 0.33, cold: 0.5, warmRssMb: 64, coldRssMb: 96 };

interface Row {
  request: Request;
  reference: Run[];
  warm: Run[];
  cold: Run[];
  targz: Run[];
}

/** The same request against the `.tar.gz` snapshots (ours only: 0.4.3 reads directories only). */
function toTarGz(snapshots: SnapshotDirs, data: string): (text: string) => string {
  const names: [string, string][] = [
    [snapshots.repository, "opam-repository"],
    [snapshots.overlays, "opam-overlays"],
    [snapshots.mirageOverlays, "mirage-opam-overlays"],
  ];
  return (text) => names.reduce((t, [dir, name]) => t.split(`file://${dir}"`).join(`file://${data}/${name}.tar.gz"`), text);
}

function lockfileOf(request: Request): string {
  return request.args[request.args.indexOf("-l") + 1]!;
}

async function oneRound(tools: Tools, work: string, row: Row, round: number): Promise<void> {
  const { request } = row;
  const dir = (kind: string) => path.join(work, request.name, kind);
  const ours = (kind: string, cache: string) => timed(tools.ours, ["lock", ...request.args], dir(kind), tools.oursEnv(cache, request.env));
  const cold = async () => {
    const cache = path.join(work, "cold-caches", `${request.name}-${round}`);
    mkdirSync(cache, { recursive: true });
    row.cold.push(await ours("cold", cache));
    copyFileSync(path.join(dir("cold"), lockfileOf(request)), path.join(work, request.name, `cold-${round}.locked`));
  };
  const steps = [
    async () => void row.reference.push(await timed(tools.reference, ["lock", ...request.args], dir("reference"), tools.referenceEnv(request.env))),
    async () => void row.warm.push(await ours("warm", tools.warmCache)),
    cold,
    async () => void row.targz.push(await ours("targz", tools.warmCache)),
  ];
  // Alternate the order, so that no run always follows the same one.
  for (const step of round % 2 === 0 ? steps : [...steps].reverse()) await step();
}

async function benchLocks(tools: Tools, work: string, snapshots: SnapshotDirs, data: string): Promise<Row[]> {
  const rows: Row[] = requests(snapshots).map((request) => ({ request, reference: [], warm: [], cold: [], targz: [] }));
  for (const { request } of rows) {
    for (const kind of ["reference", "warm", "cold"]) writeProject(path.join(work, request.name, kind), request);
    writeProject(path.join(work, request.name, "targz"), request, toTarGz(snapshots, data));
    // Untimed: fills the warm index cache and the page cache for both tools.
    const prime = await timed(tools.ours, ["lock", ...request.args], path.join(work, request.name, "warm"), tools.oursEnv(tools.warmCache, request.env));
    await timed(tools.ours, ["lock", ...request.args], path.join(work, request.name, "targz"), tools.oursEnv(tools.warmCache, request.env));
    if (prime.code !== 0) process.stderr.write(`${request.name}: our lock failed\n${prime.stderr}`);
    await timed(tools.reference, ["lock", ...request.args], path.join(work, request.name, "reference"), tools.referenceEnv(request.env));
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const row of rows) await oneRound(tools, work, row, round);
    console.log(`  round ${round + 1}/${ROUNDS} done, load average ${load()}`);
  }
  return rows;
}

/** Median over the rounds of ours ÷ the reference of the same round. */
function roundRatio(ours: Run[], reference: Run[], key: "ms" | "cpuMs"): number {
  return median(ours.map((run, index) => run[key] / (reference[index]?.[key] ?? NaN)));
}

function lockChecks(work: string, row: Row, saveDir: string | undefined): string {
  const file = lockfileOf(row.request);
  const warm = readFileSync(path.join(work, row.request.name, "warm", file), "utf8");
  const colds = row.cold.map((_, round) => readFileSync(path.join(work, row.request.name, `cold-${round}.locked`), "utf8"));
  let reference = "";
  try {
    reference = readFileSync(path.join(work, row.request.name, "reference", file), "utf8");
  } catch {
    reference = "";
  }
  if (saveDir !== undefined) writeFileSync(path.join(saveDir, `${row.request.name}.locked`), warm);
  const stable = colds.every((text) => text === warm) ? "cold = warm" : "COLD ≠ WARM";
  return `${stable}, ${reference === warm ? "= 0.4.3's" : "differs from 0.4.3's"}`;
}

function reportLocks(rows: Row[], work: string): void {
  const saveDir = process.env.BENCH_SAVE_LOCKS;
  if (saveDir !== undefined) mkdirSync(saveDir, { recursive: true });
  console.log(`\nlock, ${ROUNDS} interleaved rounds; wall s (CPU s), peak RSS MB; ratio = median of ours ÷ 0.4.3 per round`);
  console.log("request            0.4.3               ours warm           ours cold           warm/0.4.3     cold/0.4.3     .tar.gz warm/dirs  lock files");
  for (const row of rows) {
    const cell = (runs: Run[]) => `${seconds(median(runs.map((r) => r.ms)))} (${seconds(median(runs.map((r) => r.cpuMs)))}) ${Math.max(...runs.map((r) => r.rssMb)).toFixed(0)} MB`;
    const failed = [...row.warm, ...row.cold, ...row.targz].some((r) => r.code !== 0) ? " OUR LOCK FAILED" : "";
    const both = (ours: Run[]) => `${ratio(roundRatio(ours, row.reference, "ms"))} (${ratio(roundRatio(ours, row.reference, "cpuMs"))})`;
    console.log(
      `${row.request.name.padEnd(18)} ${cell(row.reference).padEnd(19)} ${cell(row.warm).padEnd(19)} ${cell(row.cold).padEnd(19)} ${both(row.warm).padEnd(14)} ${both(row.cold).padEnd(14)} ${ratio(roundRatio(row.targz, row.warm, "ms")).padEnd(18)} ${lockChecks(work, row, saveDir)}${failed}`,
    );
  }
  const worst = (key: "warm" | "cold") => Math.max(...rows.map((row) => roundRatio(row[key], row.reference, "ms")));
  const rss = (key: "warm" | "cold") => Math.max(...rows.flatMap((row) => row[key].map((r) => r.rssMb)));
  console.log(`worst warm ratio ${ratio(worst("warm"))} (target ≤ ${TARGETS.warm}×), worst cold ratio ${ratio(worst("cold"))} (target ≤ ${TARGETS.cold}×)`);
  console.log(`peak RSS ours warm ${rss("warm").toFixed(0)} MB (target ≤ ${TARGETS.warmRssMb}), cold ${rss("cold").toFixed(0)} MB (target ≤ ${TARGETS.coldRssMb})`);
}

async function main(): Promise<void> {
  const data = sharedDataDir();
  const snapshots = realSnapshotDirs();
  if (data === undefined || snapshots === undefined) return void console.log("bench/reference: ../shared/data is absent, nothing to measure");
  if (!haveGnuTime()) return void console.log("bench/reference: needs GNU time (/usr/bin/time; Debian: apt-get install -y time)");
  const work = mkdtempSync(path.join(os.tmpdir(), "om-bench-reference-"));
  const tools = referenceCommand(projectRoot(), work);
  if (tools === undefined) return void console.log("bench/reference: the reference tool cannot run here (see above); nothing to compare with");
  console.log(`bench/reference: node ${process.version}, ${os.cpus().length} CPUs, load average ${load()}; ${ROUNDS} rounds`);
  const only = process.env.BENCH_ONLY;
  try {
    if (only === undefined || only === "lock") reportLocks(await benchLocks(tools, work, snapshots, data), work);
    if (only === undefined || only === "startup") await benchStartup(tools, work, requests(snapshots)[1]!, ROUNDS);
    if (only === undefined || only === "pull") await benchPulls(tools, work, ROUNDS);
    console.log(`load average at the end ${load()}`);
  } finally {
    if (process.env.BENCH_KEEP) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

await main();
