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
  const message: ChunkMessage = { start, counts: [], versions: [], stamps: [], lengths: [], bytes: new ArrayBuffer(0) };
  const blobs: Buffer[] = [];
  for (let i = start; i < end; i++) {
    const entries = runJob(input.jobs[i]!, input.texts);
    message.counts.push(entries.length);
    for (const entry of entries) {
      message.versions.push(entry.version);
      message.stamps.push(entry.stamp);
      message.lengths.push(entry.blob.length);
      blobs.push(entry.blob);
    }
  }
  const joined = Buffer.concat(blobs);
  message.bytes = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength) as ArrayBuffer;
  return message;
}

const input = workerData as WorkerInput;
for (;;) {
  const start = Atomics.add(input.counter, 0, CHUNK);
  if (start >= input.jobs.length) break;
  const message = runChunk(input, start);
  parentPort!.postMessage(message, [message.bytes]);
}
parentPort!.postMessage({ done: true });
