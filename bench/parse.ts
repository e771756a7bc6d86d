// Benchmark: lex+parse every opam file of the opam-repository snapshot in one thread (texts are
// read from the .tar.gz into memory first and not timed). Prints files/s, MB/s and total ms.
import { parseOpam } from "../src/opam/parser.js";
import { readSnapshot, sharedDataDir, type SnapshotName } from "../test/helpers/real-data.js";

const name = (process.argv[2] ?? "opam-repository") as SnapshotName;
const rounds = Number(process.argv[3] ?? 5);

function main(): void {
  if (sharedDataDir() === undefined) {
    console.log("bench/parse: /work/shared/data is absent, nothing to measure");
    return;
  }
  const loadStart = performance.now();
  const files = readSnapshot(name);
  const loadMs = performance.now() - loadStart;
  const bytes = files.reduce((sum, f) => sum + Buffer.byteLength(f.text), 0);
  console.log(`${name}: ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB (gunzip+untar ${loadMs.toFixed(0)} ms)`);
  const times: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    let items = 0;
    for (const file of files) items += parseOpam(file.text, file.path).items.length;
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    times.push(ms);
    console.log(
      `round ${round}: ${ms.toFixed(0)} ms total (${cpuMs.toFixed(0)} ms CPU, GC threads included), ` +
        `${Math.round(files.length / (ms / 1000))} files/s, ${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s (${items} items)`,
    );
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`first (cold) round ${times[0]!.toFixed(0)} ms; median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms; best ${sorted[0]!.toFixed(0)} ms`);
  console.log(`(wall-clock figures include time lost to other processes: compare with \`uptime\` load average)`);
}

main();
