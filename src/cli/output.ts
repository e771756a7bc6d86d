// stdout and stderr for the CLI. While a descriptor is known not to be a terminal (a file, a pipe,
// a socket, /dev/null), text goes straight to it with writeSync: Node's stream machinery (net,
// stream, tty: ~6-9 ms of a short command's start) is loaded only for a terminal, for anything
// else a caller asks of the stream, or once a write cannot complete at once. A closed pipe
// (`opam-monorepo list | head -1`) drops the rest of the output quietly, as pipes.ts does; any
// other failure (a full disk under `>`) is WRITE_FAILED: the command stops with it, exit 1.
import { fstatSync, writeSync } from "node:fs";
import { errnoCode, type UserError } from "../core/errors.js";
import { writeFailed } from "../core/fs.js";
import { quietOnClosedPipe } from "./pipes.js";

const OUTPUT_HINT = "the output goes to a file or device that cannot take it: free some space or redirect it elsewhere";

/** The first output that failed (other than a closed pipe), for the exit code; later writes to it are dropped. */
let failure: UserError | undefined;

export function outputFailure(): UserError | undefined {
  return failure;
}

function failed(name: string, error: unknown): UserError {
  const wrapped = writeFailed(name, error, OUTPUT_HINT);
  failure ??= wrapped;
  return wrapped;
}

/** Memory devices (/dev/null, /dev/zero, /dev/full): character devices that are never terminals. */
const MEMORY_DEVICES_MAJOR = 1;

/** True when `fd` is surely not a terminal; false when it may be one (or cannot be told). */
export function surelyNotTerminal(fd: number): boolean {
  try {
    const stats = fstatSync(fd);
    if (stats.isFile() || stats.isFIFO() || stats.isSocket()) return true;
    return process.platform === "linux" && stats.isCharacterDevice() && ((stats.rdev >> 8) & 0xfff) === MEMORY_DEVICES_MAJOR;
  } catch {
    return false;
  }
}

type WriteCallback = (error?: Error | null) => void;

/**
 * The stream for `fd` as its callers see it: `write`, `isTTY` and `columns` answered without
 * creating `stream()` while the descriptor is not a terminal; anything else is the stream's own.
 */
export function standardOutput(fd: number, stream: () => NodeJS.WriteStream, direct = surelyNotTerminal(fd), name = fd === 2 ? "standard error" : "standard output"): NodeJS.WriteStream {
  let real: NodeJS.WriteStream | undefined;
  const created = () => {
    if (real === undefined) {
      real = stream();
      quietOnClosedPipe(real, (error) => {
        failed(name, error);
        process.exitCode = 1;
      });
    }
    return real;
  };
  let mode: "direct" | "stream" | "closed" = direct ? "direct" : "stream";
  const write = (chunk: string | Uint8Array, encoding?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean => {
    const done = typeof encoding === "function" ? encoding : callback;
    if (mode === "stream") return typeof encoding === "string" ? created().write(chunk, encoding, done) : created().write(chunk, done);
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, typeof encoding === "string" ? encoding : "utf8") : chunk;
    let offset = 0;
    while (mode === "direct" && offset < bytes.length) {
      try {
        offset += writeSync(fd, bytes, offset, bytes.length - offset);
      } catch (error) {
        const code = errnoCode(error);
        if (code === "EINTR") continue;
        if (code === "EPIPE") mode = "closed";
        else if (code === "EAGAIN") {
          // A non-blocking descriptor that is full: the stream waits for it; from now on it writes.
          mode = "stream";
          return created().write(bytes.subarray(offset), done);
        } else {
          // Thrown once, so the command stops and says why; what follows is dropped.
          mode = "closed";
          throw failed(name, error);
        }
      }
    }
    if (done !== undefined) queueMicrotask(() => done(null));
    return true;
  };
  const answer = (property: PropertyKey): unknown => {
    if (property === "write") return write;
    if (mode !== "stream" && property === "isTTY") return false;
    if (mode !== "stream" && property === "columns") return undefined;
    const value = Reflect.get(created(), property) as unknown;
    return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(real) : value;
  };
  return new Proxy({} as NodeJS.WriteStream, { get: (_target, property) => answer(property) });
}

/** The process's stdout and stderr, made on first use. */
let outputs: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream } | undefined;

export function standardOutputs(): { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream } {
  outputs ??= { stdout: standardOutput(1, () => process.stdout), stderr: standardOutput(2, () => process.stderr) };
  return outputs;
}
