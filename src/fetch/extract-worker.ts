// The worker-thread side of extract-pool.ts: extracts the archives the main thread sends (several
// at once, as they arrive): gzip, zip and tar files by name, bzip2 and xz ones as the descriptor
// of their decoder's output; answers each with its content directory and the files written, or
// its error. On "close" it finishes what is in flight and lets the thread end.
import { Socket } from "node:net";
import { parentPort } from "node:worker_threads";
import { isUserError } from "../core/errors.js";
import { extractDecoded, extractTree, type Extraction } from "./extract.js";
import type { ExtractReply, ExtractRequest } from "./extract-pool.js";

const port = parentPort;
if (port === null) throw new Error("extract-worker.js runs only as a worker thread");

let inFlight = 0;
let closing = false;

/** A decoder's output (a descriptor the main thread opened), closed before the answer goes back. */
async function extractFromDescriptor(request: Extract<ExtractRequest, { kind: "decoded" }>): Promise<Extraction> {
  const stream = new Socket({ fd: request.fd, readable: true, writable: false });
  const closed = new Promise<void>((resolve) => stream.once("close", () => resolve()));
  try {
    return await extractDecoded(stream, request.decoder, request.workDir, request.label, request.limits);
  } finally {
    stream.destroy();
    await closed;
  }
}

async function answer(request: ExtractRequest): Promise<ExtractReply> {
  try {
    const extraction = request.kind === "decoded" ? await extractFromDescriptor(request) : await extractTree(request.archive, request.workDir, request.label, request.limits);
    return { id: request.id, kind: "done", content: extraction.content, files: extraction.files };
  } catch (error) {
    if (isUserError(error)) return { id: request.id, kind: "user-error", code: error.code, message: error.message, hint: error.hint };
    return { id: request.id, kind: "crash", message: `${request.label}: ${(error as Error).message}` };
  }
}

port.on("message", (message: ExtractRequest | "close") => {
  if (message === "close") closing = true;
  else {
    inFlight++;
    void answer(message).then((reply) => {
      port.postMessage(reply);
      inFlight--;
      if (closing && inFlight === 0) port.close();
    });
  }
  if (closing && inFlight === 0) port.close();
});
