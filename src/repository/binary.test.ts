// The binary encoding and index-cache entries: round trips, compactness, refusals, damage.
import { describe, expect, it } from "vitest";
import { parseOpam } from "../opam/parser.js";
import { packageFromOpam } from "../opam/package.js";
import { opamText } from "../../test/helpers/opam-repo.js";
import { BinaryEncoder } from "./binary.js";
import { decodeBinary } from "./binary-decode.js";
import { decodeEntry, encodeFailure, encodePackage } from "./codec.js";
import { UserError } from "../core/errors.js";

const encoder = new BinaryEncoder();
const roundTrip = (value: unknown): unknown => decodeBinary(encoder.encode(value));

describe("binary encoding", () => {
  it("round-trips every supported kind of value, keeping key order and undefined properties", () => {
    const value = {
      z: undefined,
      a: [null, true, false, 0, 1, 127, 128, 2 ** 40, -5, -(2 ** 40), 1.5, -0, NaN, Infinity, ""],
      s: "héllo ✓",
      m: new Map<unknown, unknown>([["k", { x: 1 }], [2, [3]]]),
      set: new Set(["a", "b"]),
      nested: [{ kind: "atom", pos: { line: 1, col: 2 } }, { kind: "atom", pos: { line: 3, col: 4 } }, { pos: { line: 5, col: 6 }, kind: "x" }],
    };
    const back = roundTrip(value) as typeof value;
    expect(back).toEqual(value);
    expect(Object.keys(back)).toEqual(["z", "a", "s", "m", "set", "nested"]);
    expect("z" in back).toBe(true);
    expect(Object.is(back.a[11], -0)).toBe(true);
    expect(Object.keys(back.nested[2]!)).toEqual(["pos", "kind"]);
  });

  it("keeps strings of any length and alphabet, and odd keys such as __proto__", () => {
    const odd = JSON.parse('{"__proto__": 1, "constructor": "x", "0": "zero"}') as Record<string, unknown>;
    odd["é"] = ["a".repeat(127), "b".repeat(128), "ü".repeat(200), "", "\u0000"];
    const back = roundTrip(odd) as Record<string, unknown>;
    expect(back).toEqual(odd);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(Object.keys(odd));
  });

  it("writes repeated strings and object shapes once", () => {
    const items = Array.from({ length: 100 }, () => ({ kind: "constraint", op: ">=" }));
    const many = encoder.encode(items).length;
    expect(many).toBeLessThan(JSON.stringify(items).length / 4);
    expect(many).toBeLessThan(100 * 8);
  });

  it("refuses class instances and functions instead of losing them", () => {
    expect(() => encoder.encode({ when: new Date(0) })).toThrow(/Date/);
    expect(() => encoder.encode({ f: () => 1 })).toThrow(/function/);
  });

  it("rejects truncated or trailing bytes", () => {
    const bytes = encoder.encode({ a: "some text", b: [1, 2, 3] });
    expect(() => decodeBinary(bytes.subarray(0, bytes.length - 2))).toThrow();
    expect(() => decodeBinary(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(/trailing/);
  });
});

describe("package entries", () => {
  it("round-trip a parsed package exactly", () => {
    const text = opamText("a", "1.0", { depends: ['"b" {>= "1" & < "2"}', '"c" {with-test}'], url: "https://x/a.tgz", checksum: ["md5=00000000000000000000000000000000"], devRepo: "git+https://x/a.git", extra: 'x-foo: [1 "two" three]' });
    const pkg = packageFromOpam(parseOpam(text, "a.opam"), "a", "1.0");
    expect(decodeEntry(encodePackage(pkg))).toEqual(pkg);
  });

  it("round-trip a failure as a UserError with its code, message and hint", () => {
    const back = decodeEntry(encodeFailure(new UserError("OPAM_PARSE", "f:1:2: bad", { hint: "h" })));
    expect(back).toBeInstanceOf(UserError);
    expect(back).toMatchObject({ code: "OPAM_PARSE", message: "f:1:2: bad", hint: "h" });
  });
});
