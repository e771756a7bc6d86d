// Runs many ParseJobs (a cold full parse) on the main thread plus worker threads that share one
// atomic work counter, so fast and slow threads balance themselves. Small batches, or code run
// from TypeScript sources (tests), stay on the main thread.
import { existsSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { InternalError } from "../core/errors.js";
import { runJob, type ParsedEntry, type ParseJob } from "./parse-job.js";

/** Below this many files a worker's start-up costs more than it saves. */
const MIN_JOBS_FOR_WORKERS = 1500;
export const CHUNK = 128;

/** What a worker posts for each chunk it claimed. */
export interface ChunkMessage {
  start: number;
  stamps: string[];
  /** Blob lengths in order; -1 for a vanished file. */
  lengths: number[];
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

function acceptChunk(results: ParsedEntry[], message: ChunkMessage): void {
  const bytes = Buffer.from(message.bytes);
  let offset = 0;
  message.lengths.forEach((length, i) => {
    const blob = length < 0 ? undefined : bytes.subarray(offset, offset + Math.max(0, length));
    if (length > 0) offset += length;
    results[message.start + i] = { stamp: message.stamps[i]!, blob };
  });
}

function startWorker(script: URL, data: object, results: ParsedEntry[]): Promise<void> {
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

/** Parses every job; results keep the job order. */
export async function runJobs(jobs: readonly ParseJob[], texts: Uint8Array | undefined, threads = defaultThreads()): Promise<ParsedEntry[]> {
  const results: ParsedEntry[] = new Array(jobs.length);
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
