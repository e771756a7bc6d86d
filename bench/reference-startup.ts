// bench/reference.ts, start-up: the commands that need no solve (`--version`, `--help`, `list`,
// `cache-key`, `workspace`, `why PKG`) in a locked project, ours interleaved with 0.4.3's where it
// has the command (`--version`, `--help=plain`, `list`); median wall time and peak RSS.
import { cpSync, existsSync } from "node:fs";
import path from "node:path";
import { median, ratio, seconds, timed, type Run } from "./measure.js";
import { writeProject, type Request } from "./reference-requests.js";
import type { Tools } from "./reference-tools.js";

interface Case {
  label: string;
  ours: string[];
  reference?: string[];
  target: number;
}

function cases(lockfile: string): Case[] {
  return [
    { label: "--version", ours: ["--version"], reference: ["--version"], target: 0.08 },
    { label: "--help", ours: ["--help"], reference: ["--help=plain"], target: 0.08 },
    { label: "list", ours: ["list", "-l", lockfile], reference: ["list", "-l", lockfile], target: 0.15 },
    { label: "cache-key", ours: ["cache-key", "-l", lockfile], target: 0.15 },
    { label: "workspace", ours: ["workspace"], target: 0.15 },
    { label: "why dream", ours: ["why", "dream", "-l", lockfile], target: 0.2 },
  ];
}

/** `request` was locked by the lock bench in `<work>/<name>/warm`, or is locked here first. */
export async function benchStartup(tools: Tools, work: string, request: Request, rounds: number): Promise<void> {
  const dir = path.join(work, "startup");
  const lockfile = request.args[request.args.indexOf("-l") + 1]!;
  const locked = path.join(work, request.name, "warm");
  if (existsSync(locked)) cpSync(locked, dir, { recursive: true });
  else writeProject(dir, request);
  const env = tools.oursEnv(tools.warmCache, request.env);
  const lock = await timed(tools.ours, ["lock", ...request.args], dir, env);
  if (lock.code !== 0) return void console.log(`start-up: the lock of ${request.name} failed\n${lock.stderr}`);
  console.log(`\nstart-up commands in the locked ${request.name} project, ${Math.max(rounds, 10)} interleaved runs each; median wall s (CPU s), peak RSS MB`);
  console.log("command        ours                   0.4.3                  ours/0.4.3  target");
  for (const entry of cases(lockfile)) {
    const ours: Run[] = [];
    const reference: Run[] = [];
    for (let i = 0; i < Math.max(rounds, 10); i++) {
      ours.push(await timed(tools.ours, entry.ours, dir, env));
      if (entry.reference !== undefined) reference.push(await timed(tools.reference, entry.reference, dir, tools.referenceEnv(request.env)));
    }
    const cell = (runs: Run[]) =>
      runs.length === 0 ? "-" : `${seconds(median(runs.map((r) => r.ms)))} (${seconds(median(runs.map((r) => r.cpuMs)))}) ${Math.max(...runs.map((r) => r.rssMb)).toFixed(0)} MB`;
    const failed = ours.some((r) => r.code !== 0) ? ` FAILED: ${ours.find((r) => r.code !== 0)!.stderr.trim().split("\n")[0]}` : "";
    const versus = reference.length === 0 ? "-" : ratio(median(ours.map((r) => r.ms)) / median(reference.map((r) => r.ms)));
    console.log(`${entry.label.padEnd(14)} ${cell(ours).padEnd(22)} ${cell(reference).padEnd(22)} ${versus.padEnd(11)} ≤ ${entry.target} s${failed}`);
  }
}
