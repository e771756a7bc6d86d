// Benchmark: repository loading on the real opam-repository snapshot. The snapshot is extracted to
// a temp dir first (not timed); each figure comes from a fresh child process: cold load+parse of
// every file (no index cache), warm load through the index cache (first answer for lwt), the same
// for the .tar.gz itself, and peak RSS. Run: node --expose-gc dist/bench/load.js [runs]
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const TARGETS = { coldMs: 1500, warmMs: 150, rssMb: 400 };

interface Figures {
  mode: string;
  /** Open (and, cold, parse everything) until the first answer is available. */
  openMs: number;
  /** versions("lwt") + readOpam(newest) after opening. */
  answerMs: number;
  /** Writing the index cache (cold runs; started in the background by open). */
  flushMs: number;
  /** Since process start: node boot + module loading + open + answer. */
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
  const deps = { cacheDir, indexCache: true, ...(mode.includes("one-thread") ? { threads: 1 } : {}) };
  const repo = mode.endsWith("archive") ? await openArchive({ path: target }, deps) : await openDirectory({ path: target }, deps);
  const opened = performance.now();
  const versions = repo.versions("lwt");
  if (repo.readOpam("lwt", versions[0]!)?.name !== "lwt") throw new Error("lwt not found");
  const answered = performance.now();
  await repo.flush();
  const flushed = performance.now();
  let files = 0;
  if (mode.startsWith("cold")) for (const name of repo.packageNames()) files += repo.versions(name).length;
  const cpu = process.cpuUsage(cpu0);
  return {
    mode,
    openMs: opened - start,
    answerMs: answered - opened,
    flushMs: flushed - answered,
    processMs: answered,
    files,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssMb: process.resourceUsage().maxRSS / 1024,
  };
}

function runChild(mode: string, target: string, cacheDir: string): Figures {
  const script = fileURLToPath(import.meta.url);
  const result = spawnSync(process.execPath, ["--expose-gc", script, "--child", mode, target, cacheDir], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`child ${mode} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as Figures;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function measure(mode: string, target: string, runs: number, fresh: boolean, cacheDir: string): Figures {
  const all: Figures[] = [];
  for (let i = 0; i < runs; i++) {
    if (fresh) rmSync(cacheDir, { recursive: true, force: true });
    all.push(runChild(mode, target, cacheDir));
  }
  const pick = (key: keyof Figures) => median(all.map((f) => f[key] as number));
  return { mode, openMs: pick("openMs"), answerMs: pick("answerMs"), flushMs: pick("flushMs"), processMs: pick("processMs"), files: all[0]!.files, cpuMs: pick("cpuMs"), rssMb: Math.max(...all.map((f) => f.rssMb)) };
}

function verdict(value: number, target: number): string {
  return `${value <= target ? "ok" : "OVER"} (target ≤ ${target})`;
}

function main(runs: number): void {
  const archive = path.resolve(projectRoot, "../shared/data/opam-repository.tar.gz");
  if (!existsSync(archive)) return console.log("bench/load: ../shared/data/opam-repository.tar.gz is absent, nothing to measure");
  const work = mkdtempSync(path.join(os.tmpdir(), "om-bench-load-"));
  try {
    execFileSync("tar", ["xzf", archive, "-C", work]);
    const dir = path.join(work, "opam-repository");
    const cache = path.join(work, "cache");
    console.log(`opam-repository snapshot extracted to ${dir} (not timed); ${runs} run(s) per figure, median shown`);
    console.log(`machine: ${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
    const cold = measure("cold-directory", dir, runs, true, cache);
    const coldOne = measure("cold-directory-one-thread", dir, runs, true, cache);
    const warm = measure("warm-directory", dir, runs, false, cache);
    const coldArchive = measure("cold-archive", archive, runs, true, `${cache}-archive`);
    const warmArchive = measure("warm-archive", archive, runs, false, `${cache}-archive`);
    const coldMs = cold.openMs + cold.answerMs;
    console.log(`cold load+parse of every file (directory): ${coldMs.toFixed(0)} ms, ${Math.round(cold.files / (coldMs / 1000))} files/s (${cold.files} files, ${cold.cpuMs.toFixed(0)} ms CPU) ${verdict(coldMs, TARGETS.coldMs)}`);
    console.log(`  main thread alone (no reader thread): ${(coldOne.openMs + coldOne.answerMs).toFixed(0)} ms (${coldOne.cpuMs.toFixed(0)} ms CPU)`);
    console.log(`  then writing the index cache: ${cold.flushMs.toFixed(0)} ms (when the caller yields or flushes)`);
    const warmMs = warm.openMs + warm.answerMs;
    console.log(`warm load through the index cache (directory): ${warmMs.toFixed(1)} ms to versions("lwt") + readOpam(newest) ${verdict(warmMs, TARGETS.warmMs)}`);
    console.log(`  (${warm.processMs.toFixed(0)} ms since process start, including node start-up and module loading)`);
    const coldArchiveMs = coldArchive.openMs + coldArchive.answerMs;
    const warmArchiveMs = warmArchive.openMs + warmArchive.answerMs;
    console.log(`cold load+parse from the .tar.gz (gunzip included): ${coldArchiveMs.toFixed(0)} ms; warm: ${warmArchiveMs.toFixed(1)} ms (${warmArchive.processMs.toFixed(0)} ms since process start)`);
    const rss = Math.max(cold.rssMb, coldOne.rssMb, warm.rssMb, coldArchive.rssMb, warmArchive.rssMb);
    console.log(`peak RSS: ${rss.toFixed(0)} MB (cold ${cold.rssMb.toFixed(0)}, warm ${warm.rssMb.toFixed(0)}, archive cold ${coldArchive.rssMb.toFixed(0)}) ${verdict(rss, TARGETS.rssMb)}`);
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
