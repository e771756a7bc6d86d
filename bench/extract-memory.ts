// Benchmark of extraction memory (issue 13, item 7): the peak RSS of the real CLI `pull` of one
// archive holding a 1 GiB file (.tar.gz and .zip, served on 127.0.0.1), measured by
// `/usr/bin/time -f %M` (the process and its extraction threads). Target: at most 150 MB.
// Run: `npm run build && npm run bench:extract-memory`; BENCH_BASELINE_CLI=<path to another
// build's bin/opam-monorepo> measures it too, interleaved (BENCH_RUNS runs each, default 1).
import { execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { pinnedEnv } from "../test/helpers/cli.js";
import { serveDirectory } from "../test/helpers/http.js";
import { writePullProject } from "../test/helpers/pull-project.js";
import { hashesOf } from "../test/helpers/pull-world.js";

const GiB = 1024 ** 3;
const TARGET_MB = 150;
const TIME = "/usr/bin/time";

/** bin/opam-monorepo of the checkout this file belongs to (from bench/ or dist/bench/). */
function thisCli(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const cli = path.join(dir, "bin", "opam-monorepo");
    if (existsSync(cli)) return cli;
  }
  throw new Error("extract-memory: no bin/opam-monorepo above this file");
}

/** `pkg-1.0/big` (1 GiB of text, written 16 MiB at a time) archived as tar.gz and zip. */
function buildArchives(scratch: string, served: string): Record<"tar.gz" | "zip", string> {
  const src = path.join(scratch, "src");
  mkdirSync(path.join(src, "pkg-1.0"), { recursive: true });
  const chunk = Buffer.alloc(16 << 20, "let x = 1\n");
  const fd = openSync(path.join(src, "pkg-1.0", "big"), "w");
  for (let written = 0; written < GiB; written += chunk.length) writeSync(fd, chunk);
  closeSync(fd);
  const tgz = path.join(served, "big.tar.gz");
  const zip = path.join(served, "big.zip");
  execFileSync("tar", ["-czf", tgz, "-C", src, "pkg-1.0"]);
  execFileSync("zip", ["-q", "-r", zip, "pkg-1.0"], { cwd: src });
  rmSync(src, { recursive: true, force: true });
  return { "tar.gz": tgz, zip };
}

interface Measure {
  rssMb: number;
  seconds: number;
}

/** Runs `command` (asynchronously: the archive server lives in this process); its exit code and stderr. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stderr }));
  });
}

/** One `pull` of `archive` by `cli` in a fresh project with a fresh download cache. */
async function measure(cli: string, scratch: string, url: string, archive: string, label: string): Promise<Measure> {
  const root = writePullProject(path.join(scratch, `project-${label}`), [{ dir: "big", url, hashes: hashesOf(archive), provides: [{ name: "big", version: "1.0" }] }]);
  const rssFile = path.join(scratch, "rss.txt");
  const started = performance.now();
  const result = await run(TIME, ["-f", "%M", "-o", rssFile, process.execPath, cli, "pull", "--cache-dir", path.join(root, "cache")], root, pinnedEnv(root));
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${cli} pull failed (exit ${result.status}):\n${result.stderr}`);
  const extracted = statSync(path.join(root, "duniverse", "big", "big")).size;
  if (extracted !== GiB) throw new Error(`${cli}: extracted ${extracted} bytes, expected ${GiB}`);
  const rssKb = Number(readFileSync(rssFile, "utf8").trim().split("\n").pop());
  rmSync(root, { recursive: true, force: true });
  return { rssMb: rssKb / 1024, seconds };
}

async function main(): Promise<void> {
  if (!existsSync(TIME)) {
    console.log(`extract-memory: skipped: ${TIME} is not installed (it measures the peak RSS)`);
    return;
  }
  const runs = Number(process.env.BENCH_RUNS ?? 1);
  const clis: [string, string][] = [["this build", thisCli()]];
  if (process.env.BENCH_BASELINE_CLI) clis.push(["baseline", path.resolve(process.env.BENCH_BASELINE_CLI)]);
  const scratch = mkdtempSync(path.join(os.tmpdir(), "bench-extract-memory-"));
  const served = path.join(scratch, "served");
  mkdirSync(served);
  const server = await serveDirectory(served);
  try {
    console.log("building a 1 GiB entry as .tar.gz and .zip ...");
    const archives = buildArchives(scratch, served);
    for (const [format, archive] of Object.entries(archives)) {
      console.log(`${format}: ${(statSync(archive).size / 1024 ** 2).toFixed(1)} MB archive, 1024 MiB entry`);
      for (let run = 0; run < runs; run++) {
        for (const [name, cli] of clis) {
          const { rssMb, seconds } = await measure(cli, scratch, `${server.url}/${path.basename(archive)}`, archive, `${format}-${run}`);
          const verdict = name === "this build" ? (rssMb <= TARGET_MB ? `(target <= ${TARGET_MB} MB: met)` : `(target <= ${TARGET_MB} MB: NOT met)`) : "";
          console.log(`  ${name.padEnd(10)} run ${run + 1}: peak RSS ${rssMb.toFixed(0)} MB, ${seconds.toFixed(1)} s ${verdict}`);
        }
      }
    }
  } finally {
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
