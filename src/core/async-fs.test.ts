// async-fs.ts: the callback-backed promise forms behave as node:fs/promises' do.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { close, fstat, mkdir, open, readdir, readFd, remove, stat, writeAll, writeFile } from "./async-fs.js";

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("async-fs", () => {
  it("writes many parts of every size, empty ones included, in order", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "om-async-fs-"));
    const parts = Array.from({ length: 1500 }, (_, i) => Buffer.alloc(i % 7 === 0 ? 0 : (i * 37) % 3000, i % 251));
    const file = path.join(dir, "out");
    const fd = await open(file, "w");
    await writeAll(fd, parts);
    await close(fd);
    expect(readFileSync(file).equals(Buffer.concat(parts))).toBe(true);
  });

  it("reads, lists, makes directories and removes trees", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "om-async-fs-"));
    await mkdir(path.join(dir, "a", "b"));
    await writeFile(path.join(dir, "a", "b", "f"), "text", 0o600);
    expect((await stat(path.join(dir, "a", "b", "f"))).mode & 0o777).toBe(0o600);
    expect(await readdir(path.join(dir, "a"))).toEqual(["b"]);
    const fd = await open(path.join(dir, "a", "b", "f"), "r");
    expect((await fstat(fd)).size).toBe(4);
    expect(await readFd(fd, "utf8")).toBe("text");
    await close(fd);
    await remove(path.join(dir, "a"));
    await remove(path.join(dir, "missing"));
    expect(await readdir(dir)).toEqual([]);
  });

  it("rejects with the errno code node:fs/promises gives", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "om-async-fs-"));
    writeFileSync(path.join(dir, "file"), "");
    await expect(stat(path.join(dir, "none"))).rejects.toMatchObject({ code: "ENOENT" });
    await expect(readdir(path.join(dir, "file"))).rejects.toMatchObject({ code: "ENOTDIR" });
  });
});
