// The tar header checker on hand-made archives: pax and GNU long names that escape, corrupt
// headers, device files, and nothing forwarded past the end-of-archive marker.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { extractArchive } from "./extract.js";
import { isUserError } from "../core/errors.js";
import { newEntryChecker } from "./entry-check.js";
import { TarScanner } from "./tar-scan.js";

function header(name: string, type: string, size: number, linkname = ""): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, "utf8");
  block.write("0000644\0", 100, "latin1");
  block.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "latin1");
  block.write(type, 156, "latin1");
  block.write(linkname, 157, "utf8");
  block.write("ustar\x0000", 257, "latin1");
  block.write("        ", 148, "latin1");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return block;
}
const data = (text: string) => {
  const bytes = Buffer.from(text);
  return Buffer.concat([bytes, Buffer.alloc((512 - (bytes.length % 512)) % 512)]);
};
const pax = (records: Record<string, string>) => {
  const body = Object.entries(records)
    .map(([key, value]) => {
      const rest = ` ${key}=${value}\n`;
      let length = rest.length + 2;
      if (String(length).length + rest.length !== length) length = String(length + 1).length + rest.length;
      return `${length}${rest}`;
    })
    .join("");
  return Buffer.concat([header("PaxHeader", "x", body.length), data(body)]);
};
const END = Buffer.alloc(1024);

function scan(archive: Buffer, chunkSize = 100): { forwarded: Buffer; error?: string } {
  const scanner = new TarScanner("test.tar", newEntryChecker("test.tar"));
  const out: Buffer[] = [];
  try {
    for (let offset = 0; offset < archive.length; offset += chunkSize) out.push(scanner.feed(archive.subarray(offset, offset + chunkSize)));
    scanner.finish();
    return { forwarded: Buffer.concat(out) };
  } catch (error) {
    return { forwarded: Buffer.concat(out), error: isUserError(error) ? `${error.code}: ${error.message}` : String(error) };
  }
}

describe("TarScanner", () => {
  test("a normal archive passes through unchanged (whatever the chunking)", () => {
    const archive = Buffer.concat([header("p/", "5", 0), header("p/a.ml", "0", 5), data("hello"), header("p/l", "2", 0, "a.ml"), END]);
    for (const size of [1, 100, 512, 4096]) {
      const result = scan(archive, size);
      expect(result.error).toBeUndefined();
      expect(result.forwarded.subarray(0, archive.length - 512)).toEqual(archive.subarray(0, archive.length - 512));
    }
  });
  test("a pax path that escapes is refused before tar sees its data", () => {
    const archive = Buffer.concat([header("p/", "5", 0), pax({ path: "../../evil" }), header("p/harmless", "0", 4), data("evil"), END]);
    const result = scan(archive, 65536);
    expect(result.error).toMatch(/^ARCHIVE_UNSAFE: .*"\.\.\/\.\.\/evil": path contains \.\./);
    expect(result.forwarded.length).toBe(0);
  });
  test("a pax linkpath and a GNU long name are honoured", () => {
    expect(scan(Buffer.concat([pax({ linkpath: "/etc/passwd" }), header("p/l", "2", 0, "ok"), END])).error).toMatch(/absolute path \/etc\/passwd/);
    const long = "p/" + "d/".repeat(60) + "../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../x";
    expect(scan(Buffer.concat([header("././@LongLink", "L", long.length), data(long), header("p/short", "0", 0), END])).error).toMatch(/path contains \.\./);
  });
  test("writing through a symlink, device files and corrupt headers are refused", () => {
    expect(scan(Buffer.concat([header("p/l", "2", 0, "."), header("p/l/x", "0", 0), END])).error).toMatch(/through the symlink p\/l/);
    expect(scan(Buffer.concat([header("p/dev", "3", 0), END])).error).toMatch(/^ARCHIVE_UNSAFE: .*device files/);
    const corrupt = header("p/a", "0", 0);
    corrupt[0] ^= 1;
    expect(scan(Buffer.concat([corrupt, END])).error).toMatch(/^ARCHIVE_INVALID/);
    expect(scan(Buffer.concat([header("p/a", "0", 600), data("x")])).error).toMatch(/truncated/);
  });
  test("nothing after the end-of-archive block reaches tar", () => {
    const trailing = Buffer.concat([header("../evil", "0", 0), END]);
    const archive = Buffer.concat([header("p/a", "0", 0), Buffer.alloc(512), trailing]);
    const result = scan(archive, 7);
    expect(result.error).toBeUndefined();
    expect(result.forwarded).toEqual(Buffer.concat([header("p/a", "0", 0), Buffer.alloc(1024)]));
  });
});

test("a directory entry over a symlink replaces it: no write goes through the old link", async () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "tar-chain-"));
  try {
    const archive = Buffer.concat([
      header("p/d/", "5", 0),
      header("p/d/x", "2", 0, ".."),
      header("p/c", "2", 0, "d/x/.."),
      header("p/c/", "5", 0),
      header("p/c/evil", "0", 4),
      data("evil"),
      END,
    ]);
    const file = path.join(scratch, "chain.tar");
    writeFileSync(file, archive);
    const content = await extractArchive(file, path.join(scratch, "box", "out"), "chain.tar");
    expect(readdirSync(path.join(content, "c"))).toEqual(["evil"]);
    expect(existsSync(path.join(scratch, "box", "evil"))).toBe(false);
    expect(existsSync(path.join(scratch, "evil"))).toBe(false);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
