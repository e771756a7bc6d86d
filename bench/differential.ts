// The whole differential corpus (test/differential/corpus.ts): every request locked by the real
// opam-monorepo 0.4.3 and by ours, one line per request, then the counts line
// `N requests: A identical, B documented differences, C both fail, D differ`. Never run by npm test
// (test/differential/lock.test.ts runs the `ci` subset). DIFF_ONLY=substring limits the requests;
// DIFF_JOBS (default 2) runs that many requests at once.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { compareLock, countsLine, type Outcome } from "../test/differential/compare.js";
import { corpus } from "../test/differential/corpus.js";
import { unavailableReason } from "../test/differential/harness.js";

function describe(outcome: Outcome): string {
  const verdict = outcome.verdict;
  switch (verdict.kind) {
    case "identical":
      return "identical";
    case "documented":
      return `documented difference ${verdict.id}`;
    case "both-fail":
      return `both fail (exit ${verdict.code}): ${verdict.error ?? "no [ERROR] line"}`;
    case "differ":
      return `DIFFER: ${verdict.reason}`;
  }
}

async function main(): Promise<void> {
  const reason = unavailableReason();
  if (reason !== undefined) {
    console.log(`bench:differential: skipped, ${reason}`);
    return;
  }
  const only = process.env.DIFF_ONLY;
  const requests = corpus().filter((request) => only === undefined || request.id.includes(only));
  const scratch = mkdtempSync(path.join(os.tmpdir(), "om-differential-"));
  const sandbox = { dir: scratch, home: path.join(scratch, "home") };
  const outcomes: Outcome[] = [];
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < requests.length; i = next++) {
      const request = requests[i]!;
      const outcome = await compareLock(request, path.join(scratch, request.id), sandbox);
      outcomes.push(outcome);
      console.log(`${request.id}: ${describe(outcome)}`);
    }
  };
  await Promise.all(Array.from({ length: Number(process.env.DIFF_JOBS ?? 2) }, worker));
  if (process.env.DIFF_KEEP === undefined) rmSync(scratch, { recursive: true, force: true });
  else console.log(`kept ${scratch}`);
  console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s, load average ${os.loadavg()[0]!.toFixed(1)})`);
  console.log(countsLine(outcomes));
}

await main();
