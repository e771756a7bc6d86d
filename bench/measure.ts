// Benchmark helper: runs one command in a fresh process under GNU time (`/usr/bin/time -f`), for
// its wall time, CPU time (user + system, children and threads included) and peak RSS; the
// reference tool's launcher and ours (bin/opam-monorepo) are measured the same way.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface Run {
  ms: number;
  cpuMs: number;
  rssMb: number;
  code: number | null;
  stderr: string;
}

export const GNU_TIME = "/usr/bin/time";

/** GNU time is needed (Debian: `apt-get install -y time`); the bench says so and stops without it. */
export function haveGnuTime(): boolean {
  return existsSync(GNU_TIME) && spawnSync(GNU_TIME, ["-f", "%e", "true"], { stdio: "ignore" }).status === 0;
}

let counter = 0;

/** One run of `command args` in `cwd` with exactly `env`; stdout is discarded. */
export function timed(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const out = path.join(os.tmpdir(), `om-bench-time-${process.pid}-${counter++}`);
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(GNU_TIME, ["-o", out, "-f", "@time %U %S %M", command, ...args], { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - start;
      const text = existsSync(out) ? readFileSync(out, "utf8") : "";
      rmSync(out, { force: true });
      const match = /@time ([0-9.]+) ([0-9.]+) ([0-9]+)/u.exec(text);
      const cpuMs = match === null ? NaN : (Number(match[1]) + Number(match[2])) * 1000;
      resolve({ ms, cpuMs, rssMb: match === null ? NaN : Number(match[3]) / 1024, code, stderr });
    });
  });
}

export const median = (values: number[]): number => {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return finite.length === 0 ? NaN : finite[Math.floor(finite.length / 2)]!;
};

export const load = (): string => os.loadavg().map((l) => l.toFixed(2)).join(" ");

export const seconds = (ms: number): string => (ms / 1000).toFixed(2);

export const ratio = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "-");
