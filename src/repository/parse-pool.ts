// Runs many ParseJobs (a cold full parse) on the main thread plus worker threads that share one
// atomic work counter, so fast and slow threads balance themselves. Small batches, or code run
// from TypeScript sources (tests), stay on the main thread.
import { existsSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { InternalError } from "../core/errors.js";
import { runJob, type ParsedEntry, type ParseJob } from "./parse-job.js";

/** Below this many jobs (packages or files) a worker's start-up costs more than it saves. */
const MIN_JOBS_FOR_WORKERS = 800;
export const CHUNK = 32;

/** What a worker posts for each chunk of jobs it claimed. */
export interface ChunkMessage {
  start: number;
  /** Entries per job of the chunk, then each entry's version, stamp and blob length. */
  counts: number[];
  versions: string[];
  stamps: string[];
  lengths: number[];
  /** The blobs, concatenated. */
  bytes: ArrayBuffer;
}

export function defaultThreads(): number {
  return Math.max(1, Math.min(os.availableParallelism(), 4));
}

function workerScript(): URL | undefined {
  const url = new URL("./parse-worker.js", import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

function shareTexts(texts: Uint8Array | undefined): Uint8Array | undefined {
  if (texts === undefined || texts.buffer instanceof SharedArrayBuffer) return texts;
  const shared = new Uint8Array(new SharedArrayBuffer(texts.byteLength));
  shared.set(texts);
  return shared;
}

function acceptChunk(results: ParsedEntry[][], message: ChunkMessage): void {
  const bytes = Buffer.from(message.bytes);
  let offset = 0;
  let entry = 0;
  message.counts.forEach((count, i) => {
    const entries: ParsedEntry[] = [];
    for (let n = 0; n < count; n++, entry++) {
      const length = message.lengths[entry]!;
      entries.push({ version: message.versions[entry]!, stamp: message.stamps[entry]!, blob: bytes.subarray(offset, (offset += length)) });
    }
    results[message.start + i] = entries;
  });
}

function startWorker(script: URL, data: object, results: ParsedEntry[][]): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: data });
    worker.on("message", (message: ChunkMessage | { done: true }) => {
      if ("done" in message) resolve();
      else acceptChunk(results, message);
    });
    worker.on("error", (error) => reject(new InternalError(`opam parse worker failed: ${error.message}`, { cause: error })));
    worker.on("exit", (code) => reject(new InternalError(`opam parse worker exited early (code ${code})`)));
  });
}

/** Runs every job; results keep the job order. */
export async function runJobs(jobs: readonly ParseJob[], texts: Uint8Array | undefined, threads = defaultThreads()): Promise<ParsedEntry[][]> {
  const results: ParsedEntry[][] = new Array(jobs.length);
  const script = workerScript();
  if (threads <= 1 || jobs.length < MIN_JOBS_FOR_WORKERS || script === undefined) {
    jobs.forEach((job, i) => (results[i] = runJob(job, texts)));
    return results;
  }
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const shared = shareTexts(texts);
  const data = { jobs, texts: shared, counter };
  const workers = Array.from({ length: threads - 1 }, () => startWorker(script, data, results));
  for (;;) {
    const start = Atomics.add(counter, 0, CHUNK);
    if (start >= jobs.length) break;
    const end = Math.min(jobs.length, start + CHUNK);
    for (let i = start; i < end; i++) results[i] = runJob(jobs[i]!, shared);
  }
  await Promise.all(workers);
  return results;
}
