// Unit tests of opam checksum parsing, printing and strength order.
import { describe, expect, it } from "vitest";
import { compareChecksumStrength, formatChecksum, parseChecksum, shareAnyChecksum, strongestChecksum, type Checksum } from "./checksum.js";

const MD5 = "fa5d1ae3e5c3ee09b515550f8d2ecdfa";
const SHA256 = "36a61fcd4b08ae099538d9e71e8d24f518f5be4f735d0384c0e19da0496dbfb4";
const SHA512 =
  "b36d2df5d8f5e1faffc26dbf486f59c90678f7dbd809cc770fd0f2fbb4b015fd634c50543be8522af0cbafd85bebbcb34579a34bdf149d5d8ed5fa253240db24";

describe("parseChecksum", () => {
  it("reads the three kinds, case-insensitive kind, lower-cased hex", () => {
    expect(parseChecksum(`md5=${MD5}`)).toEqual({ algo: "md5", hex: MD5 });
    expect(parseChecksum(`SHA256=${SHA256.toUpperCase()}`)).toEqual({ algo: "sha256", hex: SHA256 });
    expect(parseChecksum(`sha512=${SHA512}`)).toEqual({ algo: "sha512", hex: SHA512 });
  });
  it("reads a bare 32-hex string as md5", () => {
    expect(parseChecksum(MD5)).toEqual({ algo: "md5", hex: MD5 });
    expect(parseChecksum(SHA256)).toBeUndefined();
  });
  it("rejects wrong lengths, non-hex and unknown kinds", () => {
    expect(parseChecksum(`md5=${MD5}0`)).toBeUndefined();
    expect(parseChecksum(`sha256=${MD5}`)).toBeUndefined();
    expect(parseChecksum(`sha256=${SHA256.slice(1)}g`)).toBeUndefined();
    expect(parseChecksum(`sha1=${"a".repeat(40)}`)).toBeUndefined();
    expect(parseChecksum("")).toBeUndefined();
  });
  it("prints kind=hex", () => {
    expect(formatChecksum(parseChecksum(MD5)!)).toBe(`md5=${MD5}`);
  });
});

describe("strength", () => {
  const list: Checksum[] = [parseChecksum(`sha256=${SHA256}`)!, parseChecksum(`sha512=${SHA512}`)!, parseChecksum(MD5)!];
  it("orders md5 < sha256 < sha512", () => {
    expect(compareChecksumStrength("md5", "sha256")).toBeLessThan(0);
    expect(compareChecksumStrength("sha512", "sha256")).toBeGreaterThan(0);
    expect(compareChecksumStrength("sha256", "sha256")).toBe(0);
    expect(strongestChecksum(list)?.algo).toBe("sha512");
    expect(strongestChecksum([])).toBeUndefined();
  });
  it("shareAnyChecksum compares algo and hex", () => {
    expect(shareAnyChecksum(list, [parseChecksum(MD5)!])).toBe(true);
    expect(shareAnyChecksum([parseChecksum(`md5=${MD5}`)!], [{ algo: "sha256", hex: MD5 }])).toBe(false);
    expect(shareAnyChecksum([], list)).toBe(false);
  });
});
