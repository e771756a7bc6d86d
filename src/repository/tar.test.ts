// The in-memory tar reader and the repository layout rules.
import { describe, expect, it } from "vitest";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import * as tar from "tar";
import { testdir } from "../../test/helpers/testdir.js";
import { readTarFiles, TarFormatError } from "./tar.js";
import { isPackageName, parseOpamMemberPath, versionOfDir } from "./layout.js";

async function tarOf(files: Record<string, string>, options: { portable?: boolean } = {}): Promise<Buffer> {
  const dir = await testdir();
  const src = path.join(dir, "src");
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(src, name)), { recursive: true });
    await writeFile(path.join(src, name), content);
  }
  const out = path.join(dir, "out.tar.gz");
  await tar.c({ gzip: true, file: out, cwd: src, portable: options.portable ?? true }, [...new Set(Object.keys(files).map((f) => f.split("/")[0]!))]);
  return gunzipSync(await readFile(out));
}

describe("tar reader", () => {
  it("lists regular files with their contents, skipping directories", async () => {
    const image = await tarOf({ "r/repo": 'opam-version: "2.0"\n', "r/packages/a/a.1/opam": "x: 1\n", "r/empty": "" });
    const files = readTarFiles(image).map((f) => [f.path, f.data.toString()]);
    expect(files.sort()).toEqual([["r/empty", ""], ["r/packages/a/a.1/opam", "x: 1\n"], ["r/repo", 'opam-version: "2.0"\n']]);
  });

  it("reads long paths (ustar prefix or pax header)", async () => {
    const long = `r/packages/${"n".repeat(70)}/${"n".repeat(70)}.${"1".repeat(40)}/opam`;
    const files = readTarFiles(await tarOf({ [long]: "long\n" }, { portable: false }));
    expect(files.map((f) => f.path)).toEqual([long]);
  });

  it("rejects damaged images", async () => {
    const image = await tarOf({ a: "aaaa" });
    const broken = Buffer.from(image);
    broken[0] = broken[0]! ^ 1;
    expect(() => readTarFiles(broken)).toThrow(TarFormatError);
    expect(() => readTarFiles(image.subarray(0, 512 + 2))).toThrow(/runs past the end/);
    expect(() => readTarFiles(image.subarray(0, 1024))).toThrow(/end-of-archive/);
  });
});

describe("repository layout", () => {
  it("accepts opam's package names and versions and splits at the first dot", () => {
    expect(isPackageName("ocaml-base-compiler")).toBe(true);
    expect(isPackageName("0install")).toBe(true);
    expect(isPackageName("123")).toBe(false);
    expect(isPackageName("a.b")).toBe(false);
    expect(versionOfDir("lwt", "lwt.5.9.1")).toBe("5.9.1");
    expect(versionOfDir("cmdliner", "cmdliner.1.2.0+dune")).toBe("1.2.0+dune");
    expect(versionOfDir("lwt", "lwt_ppx.1.0")).toBeUndefined();
    expect(versionOfDir("lwt", "lwt.")).toBeUndefined();
    expect(versionOfDir("lwt", "lwt.1 0")).toBeUndefined();
  });

  it("recognises opam members of an archive with or without a top directory", () => {
    expect(parseOpamMemberPath("default/packages/a/a.1/opam")).toEqual({ prefix: "default/", name: "a", version: "1" });
    expect(parseOpamMemberPath("packages/a/a.1/opam")).toEqual({ prefix: "", name: "a", version: "1" });
    expect(parseOpamMemberPath("packages/a/a.1/files/opam")).toBeUndefined();
    expect(parseOpamMemberPath("packages/a/b.1/opam")).toBeUndefined();
  });
});
