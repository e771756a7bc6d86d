// The `npm test` share of the differential corpus (test/differential/corpus.ts, `ci: true`): real
// requests against the shared snapshots locked by the real opam-monorepo 0.4.3 and by ours. Each
// must be byte-identical, a documented difference (S1, S2: ours equals the reference run on the
// neutralised input), or a failure of both with the same exit code (and the same first [ERROR] line
// where DESIGN keeps the reference's message). `npm run bench:differential` runs the whole corpus.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeTestdir, testdir } from "../helpers/testdir.js";
import { compareLock, type Outcome } from "./compare.js";
import { corpus } from "./corpus.js";
import { unavailableReason, type Sandbox } from "./harness.js";

const reason = unavailableReason();
if (reason !== undefined) console.log(`differential corpus: skipped, ${reason}`);
const suite = reason === undefined ? describe : describe.skip;
const requests = corpus().filter((request) => request.ci === true);

let sandbox: Sandbox;
const outcomes = new Map<string, Promise<Outcome>>();

/** Two requests at a time, started once for the whole file (each test awaits its own). */
function startAll(): void {
  let next = 0;
  const queue = requests.map((request) => {
    let resolve!: (outcome: Outcome) => void;
    let reject!: (error: unknown) => void;
    outcomes.set(request.id, new Promise<Outcome>((ok, fail) => ([resolve, reject] = [ok, fail])));
    return { request, resolve, reject };
  });
  const worker = async () => {
    for (let i = next++; i < queue.length; i = next++) {
      const { request, resolve, reject } = queue[i]!;
      await compareLock(request, path.join(sandbox.dir, request.id), sandbox).then(resolve, reject);
    }
  };
  for (let i = 0; i < 2; i++) void worker();
}

suite("differential corpus (npm test share)", () => {
  beforeAll(async () => {
    const dir = await testdir({}, "om-diff-corpus-");
    sandbox = { dir, home: path.join(dir, "home") };
    startAll();
  });
  afterAll(async () => {
    await Promise.allSettled(outcomes.values());
    await removeTestdir(sandbox.dir);
  });

  for (const request of requests) {
    const expected = request.difference !== undefined ? "the documented difference " + request.difference.id : "the same result";
    it(`${request.id}: ${expected}`, { timeout: 300_000 }, async () => {
      const outcome = await outcomes.get(request.id)!;
      const verdict = outcome.verdict;
      expect(verdict.kind === "differ" ? verdict.reason : "", outcome.ours.stderr).toBe("");
      if (request.difference !== undefined) expect(verdict).toEqual({ kind: "documented", id: request.difference.id });
    });
  }
});
