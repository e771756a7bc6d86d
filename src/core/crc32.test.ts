// The JavaScript CRC-32 gives zlib's values (the index files it checks were written with zlib's).
import { randomBytes } from "node:crypto";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32 } from "./crc32.js";

describe("crc32", () => {
  it("gives the standard check value, and nothing leaves the value as it was", () => {
    expect(crc32(Buffer.from("123456789", "latin1"))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
    // As zlib does for an empty buffer with memory behind it (one without gives 0 there).
    expect(crc32(Buffer.alloc(0), 0xdeadbeef)).toBe(zlib.crc32(Buffer.alloc(0), 0xdeadbeef));
  });

  it("equals zlib.crc32 on every length around the four-byte step, from any starting value", () => {
    for (let length = 1; length < 70; length++) {
      const data = randomBytes(length);
      for (const start of [0, 1, 0x7fffffff, 0xffffffff, 0xcbf43926]) expect(crc32(data, start)).toBe(zlib.crc32(data, start));
    }
  });

  it("equals zlib.crc32 on large buffers, on views at odd offsets, and when continued part by part", () => {
    const big = randomBytes(1 << 20);
    expect(crc32(big)).toBe(zlib.crc32(big));
    const view = big.subarray(3, 100_003);
    expect(crc32(view)).toBe(zlib.crc32(view));
    let running = 0;
    for (let at = 0; at < big.length; at += 4093) running = crc32(big.subarray(at, at + 4093), running);
    expect(running).toBe(zlib.crc32(big));
  });
});
