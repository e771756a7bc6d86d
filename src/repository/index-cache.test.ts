// The index-cache file: round trip and every rejection (missing, identity, code, stale, magic,
// format, truncated, checksum, corrupt entry), and concurrent writers and readers.
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync, truncateSync, readdirSync } from "node:fs";
import path from "node:path";
import { testdir } from "../../test/helpers/testdir.js";
import { indexFilePath, loadIndex, writeIndex, type EntryToWrite, type IndexKey } from "./index-cache.js";

const key: IndexKey = { identity: "directory:/somewhere", stamp: "commit-1", codec: "codec-a" };

function sample(tag: string): Map<string, EntryToWrite[]> {
  return new Map([
    ["a", [{ version: "1", stamp: "s1", blob: Buffer.from(`a.1 ${tag}`) }, { version: "2", stamp: "s2", blob: Buffer.from(`a.2 ${tag}`) }]],
    ["b", [{ version: "0.1", stamp: "", blob: Buffer.from(`b.0.1 ${tag}`.repeat(50)) }]],
  ]);
}

async function written(tag = "x"): Promise<string> {
  const dir = await testdir();
  const file = indexFilePath(dir, key.identity);
  await writeIndex(file, key, sample(tag));
  return file;
}

function readAll(file: string, k: IndexKey = key): Record<string, string[]> | string {
  const loaded = loadIndex(file, k);
  if (!loaded.ok) return loaded.reason;
  const out: Record<string, string[]> = {};
  for (const name of loaded.names) out[name] = loaded.entries(name)!.map((e) => `${e[0]}|${e[1]}|${loaded.read(e)?.toString() ?? "CORRUPT"}`);
  expect(loaded.entries("no-such-name")).toBeUndefined();
  return out;
}

describe("index cache file", () => {
  it("round-trips names, versions, stamps and entry bytes", async () => {
    const file = await written("x");
    expect(path.dirname(file)).toMatch(/index$/);
    expect(readAll(file)).toEqual({ a: ["1|s1|a.1 x", "2|s2|a.2 x"], b: [`0.1||${"b.0.1 x".repeat(50)}`] });
  });

  it("reports a missing file", async () => {
    const dir = await testdir();
    expect(readAll(indexFilePath(dir, "nothing"))).toBe("missing");
  });

  it("rejects another identity, another code fingerprint and a stale content stamp", async () => {
    const file = await written();
    expect(readAll(file, { ...key, identity: "directory:/elsewhere" })).toBe("identity");
    expect(readAll(file, { ...key, codec: "codec-b" })).toBe("codec");
    expect(readAll(file, { ...key, stamp: "commit-2" })).toBe("stale");
  });

  it("rejects a wrong magic and a wrong format version", async () => {
    const file = await written();
    const bytes = readFileSync(file);
    writeFileSync(file, Buffer.concat([Buffer.from("NOTANIDX"), bytes.subarray(8)]));
    expect(readAll(file)).toBe("magic");
    const other = Buffer.from(bytes);
    other.writeUInt32LE(999, 8);
    writeFileSync(file, other);
    expect(readAll(file)).toBe("format");
    writeFileSync(file, "");
    expect(readAll(file)).toBe("magic");
  });

  it("rejects a truncated file and one with bytes appended", async () => {
    const file = await written();
    const size = readFileSync(file).length;
    truncateSync(file, size - 3);
    expect(readAll(file)).toBe("truncated");
    truncateSync(file, 20);
    expect(readAll(file)).toBe("truncated");
    const again = await written();
    writeFileSync(again, Buffer.concat([readFileSync(again), Buffer.from("junk")]));
    expect(readAll(again)).toBe("truncated");
  });

  it("rejects a corrupt table, and refuses a corrupt entry without affecting the others", async () => {
    const file = await written("y");
    const bytes = readFileSync(file);
    const table = Buffer.from(bytes);
    table[40] = table[40]! ^ 0x20;
    writeFileSync(file, table);
    expect(readAll(file)).toBe("checksum");
    const entry = Buffer.from(bytes);
    const at = entry.indexOf("a.2 y");
    entry[at] = "A".charCodeAt(0);
    writeFileSync(file, entry);
    expect(readAll(file)).toEqual({ a: ["1|s1|a.1 y", "2|s2|CORRUPT"], b: [`0.1||${"b.0.1 y".repeat(50)}`] });
  });

  it("reads an entry's head alone or with its name's other heads, checked by its own checksum: a damaged body spoils the whole entry, not the head", async () => {
    const dir = await testdir();
    const file = indexFilePath(dir, key.identity);
    const head = Buffer.from("HEAD:facts;");
    const entries = new Map<string, EntryToWrite[]>([
      ["a", [{ version: "1", stamp: "", blob: [head, Buffer.from("the opam text")], head: head.length }, { version: "2", stamp: "", blob: Buffer.from("H2;body 2"), head: 3 }]],
      ["b", [{ version: "1", stamp: "", blob: Buffer.from("HEAD:b;tail of b"), head: 7 }, { version: "2", stamp: "", blob: Buffer.from("no head") }]],
    ]);
    await writeIndex(file, key, entries);
    const load = () => {
      const loaded = loadIndex(file, key);
      if (!loaded.ok) throw new Error(loaded.reason);
      return (name: string, version: string) => {
        const entry = loaded.entries(name)!.find((e) => e[0] === version)!;
        const together = loaded.readHeads(name)(entry);
        expect(together?.toString()).toBe(loaded.readHead(entry)?.toString());
        return [loaded.readHead(entry)?.toString() ?? "NONE", loaded.read(entry)?.toString() ?? "CORRUPT"];
      };
    };
    const intact = load();
    expect(intact("a", "1")).toEqual(["HEAD:facts;", "HEAD:facts;the opam text"]);
    expect(intact("b", "1")).toEqual(["HEAD:b;", "HEAD:b;tail of b"]);
    expect(intact("b", "2")).toEqual(["NONE", "no head"]);
    // A name's heads sit side by side, before its bodies.
    expect(intact("a", "2")).toEqual(["H2;", "H2;body 2"]);
    expect(readFileSync(file).includes("HEAD:facts;H2;the opam textbody 2")).toBe(true);
    const bytes = readFileSync(file);
    const tail = bytes.indexOf("opam text");
    bytes[tail] = "O".charCodeAt(0);
    const inHead = bytes.indexOf("HEAD:b;");
    bytes[inHead] = "h".charCodeAt(0);
    writeFileSync(file, bytes);
    const damaged = load();
    expect(damaged("a", "1")).toEqual(["HEAD:facts;", "CORRUPT"]);
    expect(damaged("b", "1")).toEqual(["NONE", "CORRUPT"]);
  });

  it("concurrent writers leave one complete file and no temporary files; readers never see a mix", async () => {
    const file = await written("start");
    const seen = new Set<string>();
    const writers = Array.from({ length: 12 }, (_, i) => writeIndex(file, key, sample(`w${i}`)));
    const reads: Promise<void>[] = [];
    for (let i = 0; i < 12; i++) {
      reads.push(
        new Promise((resolve) =>
          setImmediate(() => {
            const result = readAll(file);
            expect(typeof result).not.toBe("string");
            const tags = new Set(Object.values(result as Record<string, string[]>).flat().map((line) => line.split(" ").pop()));
            expect(tags.size).toBe(1);
            seen.add([...tags][0]!);
            resolve();
          }),
        ),
      );
    }
    await Promise.all([...writers, ...reads]);
    const final = readAll(file) as Record<string, string[]>;
    const tag = final.a![0]!.split(" ").pop()!;
    expect(tag).toMatch(/^w\d+$/);
    expect(final).toEqual(readAll(file));
    expect(readdirSync(path.dirname(file)).filter((f) => f.includes(".tmp-"))).toEqual([]);
    expect(seen.size).toBeGreaterThan(0);
  });
});
