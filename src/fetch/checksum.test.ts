// hashFile: the digests of a whole file, whatever its size against the 1 MB read buffer.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { hashFile } from "./checksum.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "checksum-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("hashFile", () => {
  test.each([0, 1, 4096, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 2.5 * (1 << 20)])("a file of %i bytes", async (size) => {
    const content = randomBytes(size);
    const file = path.join(scratch, `file-${size}`);
    writeFileSync(file, content);
    const digests = await hashFile(file, ["sha512", "sha256", "md5"]);
    for (const algo of ["sha512", "sha256", "md5"] as const) expect(digests.get(algo)).toBe(createHash(algo).update(content).digest("hex"));
  });

  test("a missing file is an error, not an empty digest", async () => {
    await expect(hashFile(path.join(scratch, "missing"), ["sha256"])).rejects.toThrow(/ENOENT/);
  });
});
