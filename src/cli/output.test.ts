// stdout/stderr without streams: a file, /dev/null and a pipe are written directly (the stream is
// never made), in order, with callbacks; a full non-blocking pipe hands the rest to the stream; a
// pipe whose reader is gone drops the rest quietly; a possible terminal gets the stream itself; a
// write that fails otherwise (/dev/full, a stream's error) is WRITE_FAILED naming the output.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { closeSync, constants, openSync, readFileSync, readSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { testdir } from "../../test/helpers/testdir.js";
import { isUserError } from "../core/errors.js";
import { outputFailure, standardOutput, surelyNotTerminal } from "./output.js";

/** A Writable standing for a terminal's stream: collects what it is given. */
function collector(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

const never = (): NodeJS.WriteStream => {
  throw new Error("the stream was made");
};

async function fifo(): Promise<string> {
  const file = path.join(await testdir(), "fifo");
  expect(spawnSync("mkfifo", [file]).status).toBe(0);
  return file;
}

describe("standard output", () => {
  it("writes a file directly, in order, and calls back; the stream is never made", async () => {
    const file = path.join(await testdir(), "out.txt");
    const fd = openSync(file, "w");
    expect(surelyNotTerminal(fd)).toBe(true);
    const out = standardOutput(fd, never);
    const called: string[] = [];
    expect(out.isTTY).toBe(false);
    expect(out.columns).toBeUndefined();
    out.write("héllo ", () => called.push("first"));
    out.write(Buffer.from("wörld\n"));
    out.write("6869", "hex", () => called.push("hex"));
    closeSync(fd);
    expect(readFileSync(file, "utf8")).toBe("héllo wörld\nhi");
    await Promise.resolve();
    expect(called).toEqual(["first", "hex"]);
  });

  it.skipIf(process.platform !== "linux")("treats /dev/null as no terminal", () => {
    const fd = openSync("/dev/null", "w");
    try {
      expect(surelyNotTerminal(fd)).toBe(true);
      expect(standardOutput(fd, never).write("dropped\n")).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it("hands the rest to the stream when a non-blocking pipe is full, keeping the order", async () => {
    const file = await fifo();
    const reader = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(file, constants.O_WRONLY | constants.O_NONBLOCK);
    try {
      const terminal = collector();
      const out = standardOutput(writer, () => terminal.stream);
      const text = Array.from({ length: 40_000 }, (_, i) => `line ${i}\n`).join("");
      out.write(text);
      out.write("after\n");
      const piped: Buffer[] = [];
      const buffer = Buffer.alloc(65536);
      for (;;) {
        let n = 0;
        try {
          n = readSync(reader, buffer, 0, buffer.length, null);
        } catch {
          break;
        }
        if (n === 0) break;
        piped.push(Buffer.from(buffer.subarray(0, n)));
      }
      const direct = Buffer.concat(piped).toString("utf8");
      expect(direct.length).toBeGreaterThan(0);
      expect(direct.length).toBeLessThan(text.length);
      expect(direct + terminal.text()).toBe(`${text}after\n`);
    } finally {
      closeSync(writer);
      closeSync(reader);
    }
  });

  it("drops the rest quietly once the pipe's reader is gone", async () => {
    const file = await fifo();
    const reader = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(file, constants.O_WRONLY | constants.O_NONBLOCK);
    closeSync(reader);
    try {
      const out = standardOutput(writer, never);
      let called = false;
      expect(out.write("nobody reads this\n", () => (called = true))).toBe(true);
      out.write("nor this\n");
      await Promise.resolve();
      expect(called).toBe(true);
    } finally {
      closeSync(writer);
    }
  });

  it.skipIf(process.platform !== "linux")("stops once with WRITE_FAILED naming the output on a full device, then drops", () => {
    const fd = openSync("/dev/full", "w");
    try {
      const out = standardOutput(fd, never, true, "standard output");
      let thrown: unknown;
      try {
        out.write("no room\n");
      } catch (error) {
        thrown = error;
      }
      expect(isUserError(thrown) && [thrown.code, thrown.message]).toEqual(["WRITE_FAILED", "cannot write standard output: no space left on device (ENOSPC)"]);
      expect(outputFailure()).toBe(thrown);
      expect(out.write("dropped\n")).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it("records a stream's failure other than a closed pipe, and sets exit code 1", async () => {
    const failing = new Writable({ write: (_chunk, _encoding, done) => done(Object.assign(new Error("EIO: i/o error, write"), { code: "EIO" })) }) as unknown as NodeJS.WriteStream;
    const before = process.exitCode;
    try {
      const out = standardOutput(2, () => failing, false);
      out.write("lost\n");
      await new Promise((resolve) => setImmediate(resolve));
      expect(process.exitCode).toBe(1);
      expect(out.write("dropped\n")).toBe(true);
    } finally {
      process.exitCode = before;
    }
  });

  it("gives a descriptor that may be a terminal its stream, for writes and everything else", () => {
    const terminal = collector();
    const out = standardOutput(1, () => terminal.stream, false);
    out.write("through the stream\n");
    expect(terminal.text()).toBe("through the stream\n");
    expect(out.writable).toBe(true);
  });
});
