// Runs `bzip2 -dc` / `xz -dc` without forking this process for every archive: a few long-lived
// `sh` helpers start the decoders (forking a small shell is cheap; forking Node blocks our event
// loop, and measured as the bottleneck of parallel pulls). Each helper owns one FIFO, made once
// (a process start costs ~5 ms on small VMs): every decoder it runs writes into it and we read
// it; the helper reports the exit status on a separate line. Never runs anything but the
// decoder it is given on the archive it is given.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { UserError } from "../core/errors.js";
import { processAlive } from "./staging.js";

/** `sh -c HELPER sh FIFO`: makes the FIFO, says R, then decodes one archive per request. */
const HELPER = `
fifo=$1
mkfifo -m 600 "$fifo" || exit 1
echo R
while IFS= read -r tool && IFS= read -r file; do
  IFS= read -r go || exit 0
  exec 3>"$fifo"
  echo W
  "$tool" -dc -- "$file" >&3 2>"$fifo.err"
  status=$?
  exec 3>&-
  echo "D $status"
done
`;

interface Helper {
  child: ChildProcess;
  lines: AsyncIterator<string>;
  /** The helper's FIFO; its previous reader is closed before the next decode opens it. */
  fifo: string;
}

export interface Decoding {
  /** The decoded bytes. */
  stream: Readable;
  /** Resolves when the decoder exited successfully; rejects with its stderr otherwise. */
  done: Promise<void>;
}

/** A started decoder whose output is read from `fd` (the read end of its FIFO, non-blocking). */
export interface OpenedDecoding {
  fd: number;
  /**
   * The decoder's status, as `done` above. `closed` settles once the reader has closed `fd`:
   * resolved, the helper is reused; rejected (the reader's fate is unknown), it is replaced.
   */
  finish(closed: Promise<void>): Promise<void>;
}

export class DecoderPool {
  private readonly idle: Helper[] = [];
  private readonly waiting: { resolve: (helper: Helper) => void; reject: (error: unknown) => void }[] = [];
  private started = 0;
  private fifoDir: string | undefined;
  private counter = 0;

  constructor(private readonly size: number) {}

  /** Start `tool -dc file`; its output arrives on `stream`. */
  async decode(tool: string, file: string): Promise<Decoding> {
    const opened = await this.open(tool, file);
    const stream = new Socket({ fd: opened.fd, readable: true, writable: false });
    const closed = new Promise<void>((resolve) => stream.once("close", () => resolve()));
    return { stream, done: opened.finish(closed) };
  }

  /**
   * Start `tool -dc file` and return the read end of its output, for a reader elsewhere (an
   * extraction thread: a descriptor opened here may be wrapped in a socket there).
   */
  async open(tool: string, file: string): Promise<OpenedDecoding> {
    let helper: Helper | undefined;
    let fd: number | undefined;
    try {
      helper = await this.acquire();
      helper.child.stdin!.write(`${tool}\n${file}\n`);
      fd = openSync(helper.fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      helper.child.stdin!.write("go\n");
      if ((await nextLine(helper)) !== "W") throw new Error("decoder helper did not start");
      const started = helper;
      return { fd, finish: (closed) => this.finish(started, closed, tool) };
    } catch (error) {
      if (fd !== undefined) closeSync(fd);
      if (helper !== undefined) this.discard(helper);
      throw new UserError("ARCHIVE_INVALID", `could not run ${tool}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** The decoder's status; the helper is reused once our end of its FIFO is closed too. */
  private async finish(helper: Helper, closed: Promise<void>, tool: string): Promise<void> {
    let status: string;
    try {
      status = await nextLine(helper);
    } catch (error) {
      this.discard(helper);
      throw error;
    }
    const stderr = status === "D 0" ? "" : readStderr(helper.fifo);
    closed.then(() => this.release(helper), () => this.discard(helper));
    if (status !== "D 0") throw new UserError("ARCHIVE_INVALID", `${tool} failed (${status.replace(/^D /, "exit code ")})${stderr ? `: ${stderr}` : ""}`);
  }

  /**
   * Start helpers (up to `count`) before they are needed: creating a process blocks this thread
   * for a while, which costs nothing while the first downloads wait for the network.
   */
  prestart(count: number): void {
    while (this.started < Math.min(count, this.size)) {
      this.started++;
      startHelper(path.join(this.dir(), `h${this.counter++}`)).then(
        (helper) => this.release(helper),
        () => void this.started--,
      );
    }
  }

  private async acquire(): Promise<Helper> {
    let helper = this.idle.pop();
    if (helper === undefined && this.started < this.size) {
      this.started++;
      try {
        helper = await startHelper(path.join(this.dir(), `h${this.counter++}`));
      } catch (error) {
        this.started--;
        throw error;
      }
    }
    helper ??= await new Promise<Helper>((resolve, reject) => this.waiting.push({ resolve, reject }));
    // While in use, the helper's output keeps the event loop alive; idle helpers do not.
    (helper.child.stdout as Socket).ref();
    return helper;
  }

  private release(helper: Helper): void {
    (helper.child.stdout as Socket).unref();
    const next = this.waiting.shift();
    if (next) next.resolve(helper);
    else this.idle.push(helper);
  }

  /** A helper in an unknown state is killed; the next decode starts a fresh one. */
  private discard(helper: Helper): void {
    helper.child.kill("SIGKILL");
    rmSync(helper.fifo, { force: true });
    rmSync(`${helper.fifo}.err`, { force: true });
    this.started--;
    const next = this.waiting.shift();
    if (next) this.acquire().then(next.resolve, next.reject);
  }

  private dir(): string {
    if (this.fifoDir === undefined) {
      removeDeadFifoDirs();
      this.fifoDir = mkdtempSync(path.join(os.tmpdir(), `${FIFO_PREFIX}${process.pid}-`));
    }
    return this.fifoDir;
  }

  /** Remove the FIFO directory (helpers exit by themselves when this process goes away). */
  removeFifoDir(): void {
    if (this.fifoDir) rmSync(this.fifoDir, { recursive: true, force: true });
    this.fifoDir = undefined;
  }
}

const FIFO_PREFIX = "opam-monorepo-decode-";

/** FIFO directories of processes that were killed before they could remove them. */
function removeDeadFifoDirs(): void {
  for (const name of readdirSync(os.tmpdir())) {
    const pid = Number(/^opam-monorepo-decode-(\d+)-/.exec(name)?.[1]);
    if (pid && !processAlive(pid)) rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

let shared: DecoderPool | undefined;

/** One pool per process, sized for the machine; its FIFO directory is removed at exit. */
export function sharedDecoderPool(): DecoderPool {
  if (!shared) {
    const pool = new DecoderPool(Math.max(4, os.cpus().length * 2));
    process.once("exit", () => pool.removeFifoDir());
    shared = pool;
  }
  return shared;
}

/** A helper whose FIFO is made (it answered R). */
async function startHelper(fifo: string): Promise<Helper> {
  const child = spawn("sh", ["-c", HELPER, "sh", fifo], { stdio: ["pipe", "pipe", "ignore"] });
  // Its output stays referenced (keeping the event loop alive) until release() marks it idle.
  child.unref();
  (child.stdin as unknown as Socket).unref();
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const helper = { child, lines, fifo };
  if ((await nextLine(helper)) !== "R") throw new Error(`mkfifo ${fifo} failed`);
  return helper;
}

async function nextLine(helper: Helper): Promise<string> {
  const next = await helper.lines.next();
  if (next.done) throw new Error("decoder helper exited");
  return next.value;
}

function readStderr(fifo: string): string {
  try {
    return readFileSync(`${fifo}.err`, "utf8").trim().split("\n").slice(-3).join("\n");
  } catch {
    return "";
  }
}
