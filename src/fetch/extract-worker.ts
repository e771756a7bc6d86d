// The worker-thread side of extract-pool.ts: extracts the gzip, zip and tar archives the main
// thread sends (several at once, as they arrive) and answers each with its content directory or
// its error. On "close" it finishes what is in flight and lets the thread end.
import { parentPort } from "node:worker_threads";
import { isUserError } from "../core/errors.js";
import { extractArchive } from "./extract.js";
import type { ExtractReply, ExtractRequest } from "./extract-pool.js";

const port = parentPort;
if (port === null) throw new Error("extract-worker.js runs only as a worker thread");

let inFlight = 0;
let closing = false;

async function answer(request: ExtractRequest): Promise<ExtractReply> {
  try {
    return { id: request.id, kind: "done", content: await extractArchive(request.archive, request.workDir, request.label) };
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
