// The extracted-size cap's settings: sizes as the option and the environment take them, the
// 4 GiB default, the option over the environment, and malformed values refused by name.
import { expect, test } from "vitest";
import { maxExtractedSize, parseSize } from "./settings.js";

test("parseSize: plain counts and K/M/G/T units (KiB, MB, any case); nothing else", () => {
  expect(parseSize("1048576")).toBe(1 << 20);
  expect(parseSize("512M")).toBe(512 << 20);
  expect(parseSize("4g")).toBe(4 * 1024 ** 3);
  expect(parseSize("2GiB")).toBe(2 * 1024 ** 3);
  expect(parseSize("100kb")).toBe(100 * 1024);
  expect(parseSize("1.5G")).toBe(1.5 * 1024 ** 3);
  for (const bad of ["", "-5", "0", "lots", "4X", "1e9", "G"]) expect(parseSize(bad)).toBeUndefined();
});

test("maxExtractedSize: the option, else OPAM_MONOREPO_MAX_EXTRACTED_SIZE, else 4 GiB", () => {
  expect(maxExtractedSize(undefined, {})).toBe(4 * 1024 ** 3);
  expect(maxExtractedSize(undefined, { OPAM_MONOREPO_MAX_EXTRACTED_SIZE: "" })).toBe(4 * 1024 ** 3);
  expect(maxExtractedSize(undefined, { OPAM_MONOREPO_MAX_EXTRACTED_SIZE: "8G" })).toBe(8 * 1024 ** 3);
  expect(maxExtractedSize("1M", { OPAM_MONOREPO_MAX_EXTRACTED_SIZE: "8G" })).toBe(1 << 20);
  expect(() => maxExtractedSize("-1", {})).toThrow(expect.objectContaining({ code: "BAD_OPTION_VALUE", message: expect.stringContaining("option --max-extracted-size") }));
  expect(() => maxExtractedSize("", {})).toThrow(expect.objectContaining({ code: "BAD_OPTION_VALUE" }));
  expect(() => maxExtractedSize(undefined, { OPAM_MONOREPO_MAX_EXTRACTED_SIZE: "lots" })).toThrow(expect.objectContaining({ code: "BAD_ARGUMENT", message: expect.stringContaining("OPAM_MONOREPO_MAX_EXTRACTED_SIZE") }));
});
