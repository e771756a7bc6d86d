// A closed stdout or stderr (`opam-monorepo list | head -1`) is not an error: the rest of the
// output is dropped quietly and the command finishes its work (lock still writes its lock file).
// Any other failure of the stream (a full disk) is handed to output.ts, which makes it an error.
import { errnoCode } from "../core/errors.js";

const CLOSED = new Set(["EPIPE", "ERR_STREAM_DESTROYED"]);

/** From now on, writes to `stream` are dropped (their callbacks still run). */
function silence(stream: NodeJS.WriteStream): void {
  const drop = (_chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") queueMicrotask(() => (done as () => void)());
    return true;
  };
  stream.write = drop as NodeJS.WriteStream["write"];
}

/**
 * Installs the handler once (output.ts, when it makes the stream): the stream is silenced on any
 * error; `failed` is told of an error other than a closed pipe (a full disk, an I/O error).
 */
export function quietOnClosedPipe(stream: NodeJS.WriteStream, failed: (error: unknown) => void): void {
  stream.on("error", (error: unknown) => {
    silence(stream);
    if (!CLOSED.has(errnoCode(error) ?? "")) failed(error);
  });
}
