// Reading the previous lock file: its text at once, its model only when asked for (a lock that
// writes the same text again never decodes it), undefined when absent or when it does not decode.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SIMPLE_LOCK } from "../../test/helpers/golden.js";
import { testdir } from "../../test/helpers/testdir.js";
import { parseLockfile, previousLockfile } from "./file.js";

describe("previousLockfile", () => {
  it("gives the text, and the model on demand", async () => {
    const dir = await testdir();
    const file = path.join(dir, "x.opam.locked");
    await writeFile(file, SIMPLE_LOCK);
    const previous = await previousLockfile(file, dir);
    expect(previous?.text).toBe(SIMPLE_LOCK);
    expect(previous?.lockfile()).toEqual(parseLockfile(SIMPLE_LOCK, file, dir));
  });

  it("is undefined without a file, and its model undefined when the text does not decode", async () => {
    const dir = await testdir();
    const file = path.join(dir, "x.opam.locked");
    expect(await previousLockfile(file, dir)).toBeUndefined();
    await writeFile(file, 'opam-version: "2.0"\ndepends: [ "a" {= } ]\n');
    const previous = await previousLockfile(file, dir);
    expect(previous?.text).toContain("depends");
    expect(previous?.lockfile()).toBeUndefined();
  });
});
