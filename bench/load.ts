// Benchmark: repository loading on the real opam-repository snapshot. The snapshot is extracted to
// a temp dir first (not timed); every figure comes from a fresh child process: a cold load+parse
// of every file, warm loads through the index cache (first answer for lwt, and every package),
// the same for the .tar.gz itself, and peak RSS. Run: node --expose-gc dist/bench/load.js [runs]
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const TARGETS = { coldMs: 1500, warmMs: 150, rssMb: 400 };

interface Figures {
  /** Open (cold: read and parse every file) until answers can be given. */
  openMs: number;
  /** versions("lwt") + readOpam(newest) after opening (or every package, for "all" modes). */
  answerMs: number;
  /** Writing the index cache afterwards. */
  flushMs: number;
  /** Since process start: node start-up + module loading + open + answer. */
  processMs: number;
  files: number;
  cpuMs: number;
  rssMb: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, "..", "..");

async function child(mode: string, target: string, cacheDir: string): Promise<Figures> {
  const { openDirectory } = await import("../src/repository/directory.js");
  const { openArchive } = await import("../src/repository/archive.js");
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const deps = { cacheDir, ...(mode.includes("one-thread") ? { threads: 1 } : {}) };
  const repo = target.endsWith(".tar.gz") ? await openArchive({ path: target }, deps) : await openDirectory({ path: target }, deps);
  const opened = performance.now();
  let files = 0;
  if (mode === "all") {
    for (const name of repo.packageNames()) for (const version of repo.versions(name)) files += repo.readOpam(name, version) === undefined ? 0 : 1;
  } else {
    const versions = repo.versions("lwt");
    if (repo.readOpam("lwt", versions[0]!)?.name !== "lwt") throw new Error("lwt not found");
  }
  const answered = performance.now();
  await repo.flush();
  const flushed = performance.now();
  if (mode.startsWith("cold")) for (const name of repo.packageNames()) files += repo.versions(name).length;
  const cpu = process.cpuUsage(cpu0);
  const rssMb = process.resourceUsage().maxRSS / 1024;
  return { openMs: opened - start, answerMs: answered - opened, flushMs: flushed - answered, processMs: answered, files, cpuMs: (cpu.user + cpu.system) / 1000, rssMb };
}

function runChild(mode: string, target: string, cacheDir: string): Figures {
  const script = fileURLToPath(import.meta.url);
  const result = spawnSync(process.execPath, ["--expose-gc", script, "--child", mode, target, cacheDir], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`child ${mode} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as Figures;
}

const SEQUENCE = ["cold", "warm", "warm", "all", "all"] as const;
const LABELS = ["cold", "warm after a cold load", "warm, second run", "every package (parse all)", "every package, second run"];

/** Per run: a cold load with an empty cache, then warm runs that each find the cache left by the previous one. */
function measure(target: string, cacheDir: string, runs: number, coldMode = "cold"): Figures[][] {
  const all: Figures[][] = SEQUENCE.map(() => []);
  for (let i = 0; i < runs; i++) {
    rmSync(cacheDir, { recursive: true, force: true });
    SEQUENCE.forEach((mode, step) => all[step]!.push(runChild(mode === "cold" ? coldMode : mode, target, cacheDir)));
  }
  return all;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const best = (values: number[]): number => Math.min(...values);
const verdict = (value: number, target: number): string => `${value <= target ? "ok" : "OVER"} (target ≤ ${target})`;
const total = (f: Figures): number => f.openMs + f.answerMs;

function report(title: string, figures: Figures[][]): void {
  console.log(`${title}:`);
  figures.forEach((runs, step) => {
    const ms = runs.map(total);
    const extra = step === 0 ? `, ${runs[0]!.files} files, ${median(runs.map((f) => f.cpuMs)).toFixed(0)} ms CPU, then ${median(runs.map((f) => f.flushMs)).toFixed(0)} ms writing the index` : "";
    const since = step > 0 ? ` (${median(runs.map((f) => f.processMs)).toFixed(0)} ms since process start)` : "";
    console.log(`  ${LABELS[step]!.padEnd(32)} median ${median(ms).toFixed(1)} ms, best ${best(ms).toFixed(1)} ms${since}${extra}`);
  });
}

function main(runs: number): void {
  const archive = path.resolve(projectRoot, "../shared/data/opam-repository.tar.gz");
  if (!existsSync(archive)) return console.log("bench/load: ../shared/data/opam-repository.tar.gz is absent, nothing to measure");
  const work = mkdtempSync(path.join(os.tmpdir(), "om-bench-load-"));
  try {
    execFileSync("tar", ["xzf", archive, "-C", work]);
    const dir = path.join(work, "opam-repository");
    console.log(`opam-repository snapshot extracted to a temp dir (not timed); ${runs} run(s) per figure, each in a fresh process`);
    console.log(`machine: ${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
    const tree = measure(dir, path.join(work, "cache"), runs);
    const single = measure(dir, path.join(work, "cache-1"), runs, "cold-one-thread");
    const packed = measure(archive, path.join(work, "cache-tgz"), runs);
    report("directory (extracted snapshot)", tree);
    console.log(`  cold with the main thread alone: median ${median(single[0]!.map(total)).toFixed(0)} ms, best ${best(single[0]!.map(total)).toFixed(0)} ms`);
    report(".tar.gz read in memory (gunzip included)", packed);
    const cold = median(tree[0]!.map(total));
    const warm = median(tree[1]!.map(total));
    const rss = Math.max(...[tree, single, packed].flat(2).map((f) => f.rssMb));
    console.log(`cold load+parse of every file: ${cold.toFixed(0)} ms, ${Math.round(tree[0]![0]!.files / (cold / 1000))} files/s ${verdict(cold, TARGETS.coldMs)}`);
    console.log(`warm load through the index cache to versions("lwt") + readOpam(newest): ${warm.toFixed(1)} ms ${verdict(warm, TARGETS.warmMs)}`);
    console.log(`peak RSS over all runs: ${rss.toFixed(0)} MB ${verdict(rss, TARGETS.rssMb)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child") {
  const [, , , mode, target, cacheDir] = process.argv;
  child(mode!, target!, cacheDir!).then((figures) => console.log(JSON.stringify(figures)));
} else {
  main(Number(process.argv[2] ?? 3));
}
