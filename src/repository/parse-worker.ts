// Worker-thread entry of parse-pool.ts: claims chunks of ParseJobs from the shared counter, parses
// them and posts the encoded results back (one transferred buffer per chunk).
import { parentPort, workerData } from "node:worker_threads";
import { runJob, type ParseJob } from "./parse-job.js";
import { CHUNK, type ChunkMessage } from "./parse-pool.js";

interface WorkerInput {
  jobs: ParseJob[];
  texts: Uint8Array | undefined;
  counter: Int32Array;
}

function runChunk(input: WorkerInput, start: number): ChunkMessage {
  const end = Math.min(input.jobs.length, start + CHUNK);
  const stamps: string[] = [];
  const lengths: number[] = [];
  const blobs: Buffer[] = [];
  for (let i = start; i < end; i++) {
    const entry = runJob(input.jobs[i]!, input.texts);
    stamps.push(entry.stamp);
    lengths.push(entry.blob === undefined ? -1 : entry.blob.length);
    if (entry.blob !== undefined) blobs.push(entry.blob);
  }
  const joined = Buffer.concat(blobs);
  const bytes = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength) as ArrayBuffer;
  return { start, stamps, lengths, bytes };
}

const input = workerData as WorkerInput;
for (;;) {
  const start = Atomics.add(input.counter, 0, CHUNK);
  if (start >= input.jobs.length) break;
  const message = runChunk(input, start);
  parentPort!.postMessage(message, [message.bytes]);
}
parentPort!.postMessage({ done: true });
