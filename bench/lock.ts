// Benchmark: `lock` on three real requests (a MirageOS hvt unikernel, a dream service, irmin +
// cohttp-lwt-unix + ocaml-lsp-server) against the shared snapshots, each run in a fresh child
// process of the real CLI: cold (empty XDG_CACHE_HOME), then warm; wall time and peak RSS. Then
// the same requests solved by `opam install --dry-run` in a temporary opam root. Never run by npm test.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { projectRoot, sharedDataDir } from "../test/helpers/real-data.js";

interface Request {
  name: string;
  files: Record<string, string>;
  args: string[];
  env: Record<string, string>;
  /** What opam is asked to install for the same request (with ocaml-base-compiler.4.14.2). */
  opamPackages: string[];
}

interface Run {
  ms: number;
  /** User + system CPU time of the process (worker threads included). */
  cpuMs: number;
  maxRssMb: number;
  code: number | null;
}

const WARM_RUNS = Number(process.env.BENCH_WARM_RUNS ?? 5);
const SNAPSHOTS = ["mirage-opam-overlays", "opam-overlays", "opam-repository"];
const GLOBALS = '[["arch" "x86_64"] ["os" "linux"] ["os-family" "debian"] ["os-distribution" "debian"] ["os-version" "12"] ["opam-version" "2.3.0"]]';

const MIRAGE_MONOREPO = ["cmdliner-stdlib", "dns-client-mirage", "duration", "lwt", "mirage-bootvar", "mirage-crypto-rng-mirage", "mirage-logs", "mirage-mtime", "mirage-ptime", "mirage-sleep", "tcpip"];
const MIRAGE_RANGES: [string, string, string][] = [
  ["mirage-runtime", "4.11.0", "4.12.0"],
  ["mirage-solo5", "0.10.0", "0.11.0"],
];
const MIRAGE_SWITCH: [string, string, string][] = [
  ["mirage", "4.11.0", "4.12.0"],
  ["ocaml-solo5", "0.8.2", "2.0.0"],
  ["solo5", "0.7.5", "0.13.0"],
];

function repositories(data: string, names: string[]): string {
  return `x-opam-monorepo-opam-repositories: [${names.map((n) => `"file://${data}/${n}.tar.gz"`).join(" ")}]`;
}

function requests(data: string): Request[] {
  const mirage = [
    'opam-version: "2.0"',
    'build: [make "build"]',
    "depends: [",
    ...MIRAGE_MONOREPO.map((p) => `  "${p}" { ?monorepo }`),
    ...MIRAGE_RANGES.map(([p, lo, hi]) => `  "${p}" { ?monorepo & >= "${lo}" & < "${hi}" }`),
    ...MIRAGE_SWITCH.map(([p, lo, hi]) => `  "${p}" { build & >= "${lo}" & < "${hi}" }`),
    '  "opam-monorepo" { build & >= "0.3.2" }',
    "]",
    'x-opam-monorepo-opam-provided: ["mirage" "ocaml-solo5" "opam-monorepo" "solo5"]',
    repositories(data, SNAPSHOTS),
    `x-opam-monorepo-global-opam-vars: ${GLOBALS}`,
  ].join("\n");
  const plain = (deps: string[]) =>
    `opam-version: "2.0"\ndepends: [${deps.map((d) => `"${d}"`).join(" ")}]\n${repositories(data, SNAPSHOTS.slice(1))}\nx-opam-monorepo-global-opam-vars: ${GLOBALS}\n`;
  // opam's command line takes one constraint per atom: a range is two atoms.
  const range = ([p, lo, hi]: [string, string, string]) => [`${p}>=${lo}`, `${p}<${hi}`];
  return [
    {
      name: "mirage-hvt",
      files: { "mirage/hello.opam": `${mirage}\n`, "dune-project": "(lang dune 2.9)\n" },
      args: ["--require-cross-compile", "--build-only", "hello", "-l", "mirage/hello.opam.locked", "--ocaml-version", "4.14.2"],
      env: { OPAMVAR_monorepo: "opam-monorepo" },
      opamPackages: [...MIRAGE_MONOREPO, ...MIRAGE_RANGES.flatMap(range), ...MIRAGE_SWITCH.flatMap(range)],
    },
    { name: "dream", files: { "service.opam": plain(["dune", "dream"]) }, args: ["--build-only", "--ocaml-version", "4.14.2"], env: {}, opamPackages: ["dream"] },
    {
      name: "irmin+cohttp+lsp",
      files: { "big.opam": plain(["dune", "irmin", "cohttp-lwt-unix", "ocaml-lsp-server"]) },
      args: ["--build-only", "--ocaml-version", "4.14.2"],
      env: {},
      opamPackages: ["irmin", "cohttp-lwt-unix", "ocaml-lsp-server"],
    },
  ];
}

/** A child that runs the CLI as bin/ does and reports its own peak RSS on fd 3. */
const MEASURE = `import { writeSync } from "node:fs";
const [main, ...args] = process.argv.slice(2);
process.on("exit", () => {
  const usage = process.resourceUsage();
  writeSync(3, JSON.stringify({ maxRSS: usage.maxRSS, cpu: (usage.userCPUTime + usage.systemCPUTime) / 1000 }));
});
const { createRequire } = await import("node:module");
createRequire(import.meta.url)(main).launch(args);
`;

/** The Node flags bin/opam-monorepo starts Node with (its `exec node … "$0"` line), so that the
 * measured child runs as the installed command does. */
function binNodeFlags(): string[] {
  const line = /exec node ((?:--\S+ )*)"\$0"/u.exec(readFileSync(path.join(projectRoot(), "bin", "opam-monorepo"), "utf8"));
  return line === null ? [] : line[1]!.trim().split(" ").filter((flag) => flag !== "");
}

function runLock(measure: string, cwd: string, request: Request, cacheHome: string): Promise<Run> {
  // The launcher, as bin/ runs it (the bundle through its code cache).
  const main = path.join(projectRoot(), "dist", "src", "cli", "launch.cjs");
  const env = { PATH: process.env.PATH, HOME: cacheHome, XDG_CACHE_HOME: cacheHome, OPAMROOT: path.join(cacheHome, "no-opam-root"), NO_COLOR: "1", ...request.env };
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [...binNodeFlags(), measure, main, "lock", ...request.args], { cwd, env, stdio: ["ignore", "ignore", "pipe", "pipe"] });
    let usage = "";
    let stderr = "";
    child.stdio[3]!.on("data", (chunk: Buffer) => (usage += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) process.stderr.write(`  ${request.name}: exit ${code}\n${stderr}`);
      const { maxRSS, cpu } = (usage === "" ? { maxRSS: NaN, cpu: NaN } : JSON.parse(usage)) as { maxRSS: number; cpu: number };
      resolve({ ms: performance.now() - start, cpuMs: cpu, maxRssMb: maxRSS / 1024, code });
    });
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const load = (): string => os.loadavg().map((l) => l.toFixed(2)).join(" ");

async function benchOurs(work: string, request: Request): Promise<{ cold: Run; warm: Run[] }> {
  const dir = path.join(work, request.name);
  for (const [relative, content] of Object.entries(request.files)) {
    mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    writeFileSync(path.join(dir, relative), content);
  }
  const measure = path.join(work, "measure.mjs");
  writeFileSync(measure, MEASURE);
  const cache = path.join(work, `${request.name}-cache`);
  rmSync(cache, { recursive: true, force: true });
  mkdirSync(cache);
  const cold = await runLock(measure, dir, request, cache);
  const warm: Run[] = [];
  for (let i = 0; i < WARM_RUNS; i++) warm.push(await runLock(measure, dir, request, cache));
  return { cold, warm };
}

// ---- opam ----------------------------------------------------------------------------------------

function commandExists(command: string): boolean {
  return spawnSync(command, ["--version"], { stdio: "ignore" }).status === 0;
}

/** opam on PATH, installing Debian's package when possible (the bench only; CI never needs it). */
function ensureOpam(): boolean {
  if (commandExists("opam")) return true;
  if (process.getuid?.() !== 0 || !commandExists("apt-get")) return false;
  console.log("opam is not installed: apt-get install -y opam");
  return spawnSync("apt-get", ["install", "-y", "opam"], { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }).status === 0;
}

/** A reusable opam root with the three snapshots (overlays first) and an empty switch `bench`. */
function opamRoot(data: string): string {
  const base = path.join(os.tmpdir(), "opam-monorepo-bench-opam");
  const root = path.join(base, "root");
  if (existsSync(path.join(base, "ready"))) return root;
  rmSync(base, { recursive: true, force: true });
  mkdirSync(path.join(base, "src"), { recursive: true });
  for (const name of SNAPSHOTS) execFileSync("tar", ["xzf", path.join(data, `${name}.tar.gz`), "-C", path.join(base, "src")]);
  const opam = (...args: string[]) => execFileSync("opam", args, { env: { ...process.env, OPAMROOT: root, OPAMYES: "1" }, stdio: "ignore" });
  console.log("setting up an opam root for the comparison (once; kept in $TMPDIR/opam-monorepo-bench-opam) …");
  opam("init", "--bare", "-n", "--disable-sandboxing", "default", path.join(base, "src", "opam-repository"));
  opam("repository", "add", "--dont-select", "opam-overlays", path.join(base, "src", "opam-overlays"));
  opam("repository", "add", "--dont-select", "mirage-opam-overlays", path.join(base, "src", "mirage-opam-overlays"));
  opam("switch", "create", "bench", "--empty", "--repos=mirage-opam-overlays,opam-overlays,default");
  writeFileSync(path.join(base, "ready"), "");
  return root;
}

interface OpamRun {
  ms: number;
  cpuMs: number;
  ok: boolean;
  actions: number;
}

/** One `opam install --dry-run`, run under bash's `time` for its CPU time (opam and its children). */
function opamDryRun(root: string, request: Request): OpamRun {
  const args = ["install", "--dry-run", "--switch=bench", "--cli=2.1", "-y", "--assume-depexts", "ocaml-base-compiler.4.14.2", ...request.opamPackages];
  const env: NodeJS.ProcessEnv = { ...process.env, OPAMROOT: root, OPAMCOLOR: "never", TIMEFORMAT: "@cpu %U %S", ...request.env };
  const script = `time opam ${args.map((a) => `'${a}'`).join(" ")}`;
  const start = performance.now();
  const result = spawnSync("bash", ["-c", script], { env, encoding: "utf8" });
  const ms = performance.now() - start;
  const cpu = /@cpu ([0-9.]+) ([0-9.]+)/.exec(result.stderr);
  const actions = (result.stdout.match(/^\s+[-∗↻↗↘]\s+install\s/gm) ?? []).length;
  return { ms, cpuMs: cpu === null ? NaN : (Number(cpu[1]) + Number(cpu[2])) * 1000, ok: result.status === 0 && actions > 0, actions };
}

// ---- report --------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const data = sharedDataDir();
  if (data === undefined) {
    console.log("bench/lock: ../shared/data is absent, nothing to measure");
    return;
  }
  const work = mkdtempSync(path.join(os.tmpdir(), "om-bench-lock-"));
  console.log(`bench/lock: node ${process.version}, ${os.cpus().length} CPUs, load average at start ${load()}`);
  const rows: { request: Request; cold: Run; warm: Run[]; opam?: OpamRun }[] = [];
  for (const request of requests(data)) rows.push({ request, ...(await benchOurs(work, request)) });
  console.log(`load average after our runs ${load()}`);
  const haveOpam = process.env.BENCH_NO_OPAM === undefined && ensureOpam();
  if (haveOpam) {
    const root = opamRoot(data);
    for (const row of rows) {
      opamDryRun(root, row.request);
      const runs = [opamDryRun(root, row.request), opamDryRun(root, row.request)];
      row.opam = { ...runs[0]!, ms: median(runs.map((r) => r.ms)), cpuMs: median(runs.map((r) => r.cpuMs)) };
    }
  } else console.log("opam is not available: no comparison");
  console.log(`load average at the end ${load()}\n`);
  console.log("wall time (CPU time) per request; warm = median of the warm runs; opam = median of 2 dry-runs after one untimed");
  console.log("request            cold lock        warm lock        peak RSS cold/warm   opam dry-run            opam/warm wall (CPU)");
  for (const { request, cold, warm, opam } of rows) {
    const warmMs = median(warm.map((r) => r.ms));
    const warmCpu = median(warm.map((r) => r.cpuMs));
    const warmRss = Math.max(...warm.map((r) => r.maxRssMb));
    const failed = [cold, ...warm].some((r) => r.code !== 0) ? " (FAILED)" : "";
    const pair = (ms: number, cpu: number) => `${(ms / 1000).toFixed(2)} s (${(cpu / 1000).toFixed(2)})`;
    const opamText = opam === undefined ? "-" : opam.ok ? pair(opam.ms, opam.cpuMs) : "no solution";
    const ratio = opam?.ok ? `${(opam.ms / warmMs).toFixed(1)}× (${(opam.cpuMs / warmCpu).toFixed(1)}×)` : "-";
    console.log(
      `${request.name.padEnd(18)} ${pair(cold.ms, cold.cpuMs).padEnd(16)} ${pair(warmMs, warmCpu).padEnd(16)} ${cold.maxRssMb.toFixed(0).padStart(4)} / ${warmRss.toFixed(0).padStart(3)} MB       ${opamText.padEnd(23)} ${ratio}${failed}`,
    );
  }
  console.log("\ntargets: warm lock ≥ 10× faster than opam's dry-run, cold lock ≤ 2 s, peak RSS ≤ 500 MB");
  rmSync(work, { recursive: true, force: true });
}

void main();
