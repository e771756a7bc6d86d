// The derived store beside an index cache: values read back in a new process (a new store on the
// same file) while their version's stamp holds, none once it changed; a damaged file is ignored.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testdir } from "../../test/helpers/testdir.js";
import { openDerivedStore } from "./derived-store.js";

const key = { identity: "directory:/repo#kind", stamp: "", codec: "test" };

describe("openDerivedStore", () => {
  it("keeps values across opens while their version's stamp holds", async () => {
    const file = path.join(await testdir(), "index", "x.idx.kind");
    const stamps = new Map([["a@1", "s1"], ["a@2", "s2"], ["b@1", "t1"]]);
    const stampOf = (name: string, version: string) => stamps.get(`${name}@${version}`);
    const first = openDerivedStore({ file, key, stampOf });
    expect(first.get("a", "1")).toBeUndefined();
    first.set("a", "1", "one");
    first.set("a", "2", "two");
    first.set("b", "1", "bee");
    first.set("z", "9", "absent version: not stored");
    expect(first.get("a", "1")).toBe("one");
    await first.flush();
    const second = openDerivedStore({ file, key, stampOf });
    expect([second.get("a", "1"), second.get("a", "2"), second.get("b", "1"), second.get("z", "9")]).toEqual(["one", "two", "bee", undefined]);
    // A changed file (new stamp) has no value until one is derived again; the others stay.
    stamps.set("a@2", "s2'");
    expect(second.get("a", "2")).toBeUndefined();
    second.set("a", "2", "two'");
    await second.flush();
    const third = openDerivedStore({ file, key, stampOf });
    expect([third.get("a", "1"), third.get("a", "2"), third.get("b", "1")]).toEqual(["one", "two'", "bee"]);
  });

  it("ignores a file written for another key, or damaged", async () => {
    const file = path.join(await testdir(), "x.idx.kind");
    const stampOf = () => "s";
    const store = openDerivedStore({ file, key, stampOf });
    store.set("a", "1", "one");
    await store.flush();
    expect(openDerivedStore({ file, key: { ...key, codec: "other" }, stampOf }).get("a", "1")).toBeUndefined();
    const bytes = await readFile(file);
    bytes[bytes.length - 2] ^= 0xff;
    await writeFile(file, bytes);
    expect(openDerivedStore({ file, key, stampOf }).get("a", "1")).toBeUndefined();
  });

  it("does not fail when the file cannot be written", async () => {
    const dir = await testdir({ "blocker": "a file where a directory should be" });
    const errors: unknown[] = [];
    const store = openDerivedStore({ file: path.join(dir, "blocker", "x.kind"), key, stampOf: () => "s", onWriteError: (error) => errors.push(error) });
    store.set("a", "1", "one");
    await store.flush();
    expect(errors).toHaveLength(1);
  });
});
