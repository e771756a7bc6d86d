// The download cache's publishing step: a file linked under another hash name never leaves its
// temp file behind, also when another process linked the same file under that name first (two
// pulls through one cache: rename(2) between two links to one file does nothing).
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { freshPaths } from "../../test/helpers/testdir.js";
import { publishLink } from "./cache.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "cache-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const fresh = freshPaths(scratch);

function setUp(): { file: string; temp: string; other: string } {
  const dir = fresh("cache");
  mkdirSync(dir);
  const file = path.join(dir, "sha256-entry");
  writeFileSync(file, "archive bytes");
  return { file, temp: path.join(dir, "tmp-1"), other: path.join(dir, "sha512-entry") };
}

test("the file is linked under the other name and the temp file is gone", () => {
  const { file, temp, other } = setUp();
  publishLink(file, temp, other);
  expect(readFileSync(other, "utf8")).toBe("archive bytes");
  expect(existsSync(temp)).toBe(false);
});

test("when the other name is already a link to the same file, the temp file is removed all the same", () => {
  const { file, temp, other } = setUp();
  linkSync(file, other);
  publishLink(file, temp, other);
  expect(existsSync(temp)).toBe(false);
  expect(readFileSync(other, "utf8")).toBe("archive bytes");
  expect(statSync(other).ino).toBe(statSync(file).ino);
  expect(readdirSync(path.dirname(file)).sort()).toEqual(["sha256-entry", "sha512-entry"]);
});

test("a failure leaves no temp file and is thrown", () => {
  const { file, temp } = setUp();
  const other = path.join(path.dirname(file), "missing-dir", "sha512-entry");
  expect(() => publishLink(file, temp, other)).toThrow(/ENOENT/);
  expect(existsSync(temp)).toBe(false);
});
