// A closed stdout or stderr (`opam-monorepo list | head -1`) is not an error: the rest of the
// output is dropped quietly and the command finishes its work (lock still writes its lock file).
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

/** Installs the handler once (output.ts, when it makes the stream); an error other than a closed pipe is rethrown (a bug). */
export function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: unknown) => {
    if (!CLOSED.has(errnoCode(error) ?? "")) throw error;
    silence(stream);
  });
}
