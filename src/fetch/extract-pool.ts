// Runs archive extractions (extract.ts) on worker threads, so that creating their files, system
// calls that block their thread, overlaps the downloads and checksums of the main thread. The
// bzip2/xz decoder helpers stay on the main thread, which hands a thread the read end of their output.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { isUserError, UserError, type ErrorCode } from "../core/errors.js";
import { sharedDecoderPool } from "./decoder-pool.js";
import { archiveError, decoderCommand, DEFAULT_LIMITS, detectArchiveKind, extractTree, pickFailure, poolCanDecode, type Extraction, type ExtractLimits } from "./extract.js";

/** An archive file, or the output of a bzip2/xz decoder (`fd`, opened by the main thread). */
export type ExtractRequest =
  | { kind: "file"; id: number; archive: string; workDir: string; label: string; limits: ExtractLimits }
  | { kind: "decoded"; id: number; fd: number; decoder: "bzip2" | "xz"; workDir: string; label: string; limits: ExtractLimits };

/** A worker's answer: the content directory, or the error (UserError fields cross the thread). */
export type ExtractReply =
  | { id: number; kind: "done"; content: string; files: Extraction["files"] }
  | { id: number; kind: "user-error"; code: ErrorCode; message: string; hint?: string }
  | { id: number; kind: "crash"; message: string };

export interface Extractor {
  /** Same contract as extractTree: extract into `workDir`, return the sources' directory and files. */
  extract(archive: string, workDir: string, label: string): Promise<Extraction>;
  /** Start the threads now (their start-up then overlaps the first downloads). */
  prepare(): void;
  /** Stop the threads (after the extractions in flight); extract() must not be called after. */
  close(): Promise<void>;
}

type Waiter = { resolve: (extraction: Extraction) => void; reject: (error: unknown) => void };

interface Thread {
  worker: Worker;
  pending: Map<number, Waiter>;
  /** Resolves when the thread has ended (closed, or died: then it has left the pool). */
  exited: Promise<void>;
}

/** The compiled worker beside this module (or beside the CLI bundle's directory); undefined from sources. */
export function extractWorkerScript(): URL | undefined {
  for (const name of ["extract-worker.bundle.cjs", "extract-worker.js"]) {
    const url = new URL(`../fetch/${name}`, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

/**
 * One thread per core, at least one and at most 4: the main thread is mostly idle during a pull
 * since the threads record each file's digest as they write it (the manifest no longer reads the
 * tree back). Measured on 2 cores, 100 archives, two threads against one: while file creation was
 * slow on that VM (after many deletions), 2.04× vs 1.75× faster than 0.4.3 with an empty download
 * cache and 1.58× vs 1.00× with a warm one; while it was cheap, a warm-cache pull 1.07 s vs 1.13 s
 * (12 interleaved runs) for ~10 % more CPU. Before the digests moved, one thread had measured
 * faster (1.43 s vs 1.51 s).
 */
export function defaultExtractThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}

/**
 * `threads` worker threads, started on first use; everything in-thread when `script` is undefined.
 * Every extraction is bounded by `limits`.
 */
export function createExtractor(threads = defaultExtractThreads(), script: URL | undefined = extractWorkerScript(), limits: ExtractLimits = DEFAULT_LIMITS): Extractor {
  const inThread = (archive: string, workDir: string, label: string) => extractTree(archive, workDir, label, limits);
  if (script === undefined || threads < 1) return { extract: inThread, prepare: () => undefined, close: async () => undefined };
  const pool: Thread[] = [];
  let nextId = 0;
  const send = (request: DistributiveOmit<ExtractRequest, "id" | "limits">): Promise<Extraction> => {
    const thread = leastBusy(pool) ?? startThread(script, pool);
    const id = nextId++;
    return new Promise<Extraction>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ ...request, id, limits });
    });
  };
  return {
    async extract(archive, workDir, label) {
      const kind = await detectArchiveKind(archive, label);
      if (kind === undefined || ((kind === "bzip2" || kind === "xz") && !poolCanDecode(archive))) return inThread(archive, workDir, label);
      if (kind !== "bzip2" && kind !== "xz") return send({ kind: "file", archive, workDir, label });
      return extractThroughDecoder(kind, archive, workDir, label, send);
    },
    prepare() {
      while (pool.length < threads) startThread(script, pool);
    },
    async close() {
      await Promise.all([...pool].map((thread) => closeThread(thread)));
    },
  };

  /** An idle thread, else a new one while there are fewer than `threads`, else the least busy. */
  function leastBusy(running: Thread[]): Thread | undefined {
    const idle = running.find((thread) => thread.pending.size === 0);
    if (idle || running.length < threads) return idle;
    return running.reduce((least, thread) => (thread.pending.size < least.pending.size ? thread : least));
  }
}

/**
 * An extraction thread's young generation: 2 MB, where V8's default lets it grow with the
 * allocation rate. bin/ gives a pull no V8 flags (they would cost Node's built-in code cache), so
 * the threads' heaps are bounded here: peak RSS of a warm-cache pull 97 -> 90 MB, same speed.
 */
const THREAD_YOUNG_GENERATION_MB = 2;

/** A new thread in `pool`; it leaves the pool when it ends, rejecting what it had not answered. */
function startThread(script: URL, pool: Thread[]): Thread {
  const worker = new Worker(script, { resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB } });
  const pending = new Map<number, Waiter>();
  const exited = new Promise<void>((resolve) =>
    worker.once("exit", (code) => {
      const index = pool.indexOf(thread);
      if (index >= 0) pool.splice(index, 1);
      failAll(pending, new Error(`the extraction thread stopped (exit code ${code})`));
      resolve();
    }),
  );
  const thread: Thread = { worker, pending, exited };
  worker.on("message", (reply: ExtractReply) => settle(pending, reply));
  worker.on("error", (error) => failAll(pending, error));
  pool.push(thread);
  return thread;
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/**
 * Start the decoder here and let a thread read its output. Both sides settle before this does
 * (the thread never writes after a failure is reported); pickFailure() says which one to report.
 */
async function extractThroughDecoder(decoder: "bzip2" | "xz", archive: string, workDir: string, label: string, send: (request: DistributiveOmit<ExtractRequest, "id" | "limits">) => Promise<Extraction>): Promise<Extraction> {
  const opened = await sharedDecoderPool().open(decoderCommand(decoder), archive);
  // The thread answers only after closing the descriptor; a thread that died leaves it unknown.
  const reply = send({ kind: "decoded", fd: opened.fd, decoder, workDir, label });
  const done = opened.finish(reply.then(() => undefined, (error: unknown) => (isUserError(error) ? undefined : Promise.reject(error))));
  const [replied, decoded] = await Promise.allSettled([reply, done]);
  const failure = pickFailure(replied, decoded);
  if (failure !== undefined || replied.status === "rejected") throw archiveError(failure, decoder, label);
  return replied.value;
}

function settle(pending: Map<number, Waiter>, reply: ExtractReply): void {
  const waiter = pending.get(reply.id);
  if (waiter === undefined) return;
  pending.delete(reply.id);
  if (reply.kind === "done") waiter.resolve({ content: reply.content, files: reply.files });
  else if (reply.kind === "user-error") waiter.reject(new UserError(reply.code, reply.message, { hint: reply.hint }));
  else waiter.reject(new Error(reply.message));
}

function failAll(pending: Map<number, Waiter>, error: unknown): void {
  for (const waiter of pending.values()) waiter.reject(error);
  pending.clear();
}

/** Ask the thread to finish what it has and wait until it has gone. */
async function closeThread(thread: Thread): Promise<void> {
  thread.worker.postMessage("close");
  await thread.exited;
}
