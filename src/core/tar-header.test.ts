// Tar header fields: numbers (octal with padding, base-256, malformed), checksums (unsigned, the
// signed sums of old tars), POSIX prefixes (and GNU headers, which have none), pax records; and
// real headers written by GNU tar.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { paxRecords, TAR_BLOCK, tarChecksumMatches, tarEntryName, tarNumber, tarString } from "./tar-header.js";

/** A header block with `name`, `fields` written at their offsets and a correct unsigned checksum. */
function header(name: string, fields: Record<number, string | Buffer> = {}): Buffer {
  const block = Buffer.alloc(TAR_BLOCK);
  block.write(name, 0, "utf8");
  for (const [offset, value] of Object.entries(fields)) (typeof value === "string" ? Buffer.from(value, "latin1") : value).copy(block, Number(offset));
  return withChecksum(block);
}

function withChecksum(block: Buffer, signed = false): Buffer {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += signed && byte > 127 ? byte - 256 : byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return block;
}

const field = (text: string) => Buffer.from(text, "latin1");

describe("tarNumber", () => {
  test.each([
    ["00000000644\0", 0o644],
    ["     644 \0\0\0", 0o644],
    ["644\0\0\0\0\0\0\0\0\0", 0o644],
    ["\0\0\0\0\0\0\0\0\0\0\0\0", 0],
    ["            ", 0],
  ])("octal %j", (text, value) => expect(tarNumber(field(text), 0, 12)).toBe(value));

  test.each([["0644x\0"], ["06 44\0"], ["\x00644\0\0"], ["0648\0\0"]])("malformed %j is undefined", (text) => {
    expect(tarNumber(field(text), 0, text.length)).toBeUndefined();
  });

  test("GNU base-256: the flag bit is dropped, the rest is big-endian", () => {
    const big = Buffer.alloc(12);
    big[0] = 0x80;
    big.writeUIntBE(9_000_000_000, 6, 6);
    expect(tarNumber(big, 0, 12)).toBe(9_000_000_000);
    const huge = Buffer.alloc(12, 0xff);
    expect(tarNumber(huge, 0, 12)).toBeUndefined();
  });

  test("reads only its own field", () => {
    const block = Buffer.from("xxxx0000017\0yyyy", "latin1");
    expect(tarNumber(block, 4, 8)).toBe(0o17);
  });
});

describe("tarChecksumMatches", () => {
  test("an unsigned sum matches; any changed byte does not", () => {
    const block = header("src/lib.ml", { 124: "00000000012\0", 156: "0" });
    expect(tarChecksumMatches(block, false)).toBe(true);
    block[10] ^= 1;
    expect(tarChecksumMatches(block, false)).toBe(false);
    expect(tarChecksumMatches(block, true)).toBe(false);
  });

  test("a signed sum (old tars, bytes above 127) passes only when signed sums are allowed", () => {
    const block = Buffer.alloc(TAR_BLOCK);
    block.write("caf\u00e9.ml", 0, "utf8");
    withChecksum(block, true);
    expect(tarChecksumMatches(block, false)).toBe(false);
    expect(tarChecksumMatches(block, true)).toBe(true);
  });

  test("a checksum field that is not a number never matches", () => {
    const block = header("a");
    block.write("zzzzzz\0 ", 148, "latin1");
    expect(tarChecksumMatches(block, true)).toBe(false);
  });
});

describe("names and strings", () => {
  test("the POSIX prefix goes in front of the name; a GNU header has no prefix field", () => {
    const posix = header("name.ml", { 257: "ustar\x0000", 345: "some/long/prefix" });
    expect(tarEntryName(posix)).toBe("some/long/prefix/name.ml");
    const gnu = header("name.ml", { 257: "ustar  \0", 345: "\x01\x02atime" });
    expect(tarEntryName(gnu)).toBe("name.ml");
  });

  test("a string field stops at its NUL or its length, whichever comes first", () => {
    expect(tarString(Buffer.from("abc\0def", "latin1"), 0, 7)).toBe("abc");
    expect(tarString(Buffer.from("abcdef", "latin1"), 1, 3)).toBe("bcd");
    expect(tarString(Buffer.from("h\u00e9llo\0", "utf8"), 0, 7)).toBe("h\u00e9llo");
  });
});

describe("paxRecords", () => {
  const record = (key: string, value: string) => {
    const body = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(body) + 1;
    if (String(length).length + Buffer.byteLength(body) !== length) length += 1;
    return `${length}${body}`;
  };

  test("every record in order, UTF-8 values kept whole", () => {
    const body = Buffer.from(record("path", "d\u00e9j\u00e0/vu.ml") + record("mtime", "1.5") + record("linkpath", "../x"), "utf8");
    expect(paxRecords(body)).toEqual([["path", "d\u00e9j\u00e0/vu.ml"], ["mtime", "1.5"], ["linkpath", "../x"]]);
  });

  test("a malformed length ends the records; a record without = is skipped", () => {
    expect(paxRecords(Buffer.from(`${record("path", "a")}x path=b\n`, "utf8"))).toEqual([["path", "a"]]);
    expect(paxRecords(Buffer.from("11 novalue\n" + record("path", "c"), "utf8"))).toEqual([["path", "c"]]);
  });
});

describe("headers written by GNU tar", () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "tar-header-test-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  test.each(["ustar", "gnu", "pax"])("%s format: checksum, size, mode and name read back", (format) => {
    const deep = `${"d".repeat(60)}/${"e".repeat(60)}`;
    mkdirSync(path.join(scratch, format, deep), { recursive: true });
    writeFileSync(path.join(scratch, format, deep, "file.ml"), "let x = 42\n", { mode: 0o640 });
    const archive = path.join(scratch, `${format}.tar`);
    execFileSync("tar", [`--format=${format}`, "-cf", archive, "-C", path.join(scratch, format), `${deep}/file.ml`]);
    const image = readFileSync(archive);
    let offset = 0;
    let paxPath: string | undefined;
    let block = image.subarray(0, TAR_BLOCK);
    for (; String.fromCharCode(block[156]!) === "x" || String.fromCharCode(block[156]!) === "L"; block = image.subarray(offset, offset + TAR_BLOCK)) {
      expect(tarChecksumMatches(block, false)).toBe(true);
      const size = tarNumber(block, 124, 12)!;
      const body = image.subarray(offset + TAR_BLOCK, offset + TAR_BLOCK + size);
      paxPath = String.fromCharCode(block[156]!) === "x" ? paxRecords(body).find(([key]) => key === "path")?.[1] : tarString(body, 0, body.length);
      offset += TAR_BLOCK + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
    }
    expect(tarChecksumMatches(block, false)).toBe(true);
    expect(tarNumber(block, 124, 12)).toBe(11);
    expect(tarNumber(block, 100, 8)! & 0o777).toBe(0o640);
    expect(paxPath ?? tarEntryName(block)).toBe(`${deep}/file.ml`);
  });
});
