// URL classification, credential stripping, checksum parsing, env settings and the cache key.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { defaultCacheDir } from "./cache.js";
import { cacheKey } from "./cache-key.js";
import { parseHashes } from "./checksum.js";
import { checksumPolicy, defaultJobs, defaultRetries } from "./settings.js";
import { isLocalUrl, redactUrl, sourceOf } from "./source.js";

describe("sourceOf", () => {
  test("archives, git sources and local paths", () => {
    expect(sourceOf("https://github.com/o/r/releases/download/v1/r-1.tbz", ["md5=" + "a".repeat(32)])).toMatchObject({ kind: "archive", hashes: [{ algo: "md5" }] });
    expect(sourceOf("https://github.com/o/r/tarball/v1.0", [])).toMatchObject({ kind: "archive", url: "https://github.com/o/r/tarball/v1.0" });
    expect(sourceOf("git+https://github.com/o/r.git#abc123", [])).toEqual({ kind: "git", url: "git+https://github.com/o/r.git#abc123", remote: "https://github.com/o/r.git", ref: "abc123" });
    expect(sourceOf("git+file:///tmp/repo#main", [])).toMatchObject({ kind: "git", remote: "file:///tmp/repo", ref: "main" });
    expect(sourceOf("git://github.com/o/r", [])).toMatchObject({ kind: "git", remote: "git://github.com/o/r", ref: undefined });
    expect(sourceOf("https://github.com/o/r.git#v1", [])).toMatchObject({ kind: "git", ref: "v1" });
    expect(sourceOf("file:///srv/src%20dir", [])).toMatchObject({ kind: "local", path: "/srv/src dir" });
    expect(() => sourceOf("hg+https://x/y", [])).toThrow(/Unsupported source URL/);
    expect(() => sourceOf("no-scheme", [])).toThrow(/no scheme/);
  });
  test("credentials never reach messages", () => {
    expect(redactUrl("https://user:tok@github.com/x.tbz")).toBe("https://github.com/x.tbz");
    expect(redactUrl("git+https://tok@host/r.git#c")).toBe("git+https://host/r.git#c");
    expect(redactUrl("https://host/a@b.tbz")).toBe("https://host/a@b.tbz");
  });
  test("local URLs (offline mirrors)", () => {
    expect(["file:///m", "http://127.0.0.1:8080/m", "http://localhost/m", "http://[::1]:9/m"].map(isLocalUrl)).toEqual([true, true, true, true]);
    expect(["https://opam.ocaml.org/cache", "http://10.0.0.1/m"].map(isLocalUrl)).toEqual([false, false]);
  });
});

describe("checksums", () => {
  test("parsed strongest first, lower-cased; malformed ones rejected", () => {
    const hashes = parseHashes([`md5=${"A".repeat(32)}`, `sha512=${"b".repeat(128)}`, `sha256=${"c".repeat(64)}`], "x");
    expect(hashes.map((hash) => hash.algo)).toEqual(["sha512", "sha256", "md5"]);
    expect(hashes[2].hex).toBe("a".repeat(32));
    expect(() => parseHashes(["sha256=abc"], "pkg")).toThrow(/Invalid checksum "sha256=abc" for pkg/);
    expect(() => parseHashes(["sha1=" + "a".repeat(40)], "pkg")).toThrow(/Invalid checksum/);
  });
});

describe("settings", () => {
  test("jobs, retries and the checksum policy from opam's variables", () => {
    expect(defaultJobs({})).toBe(16);
    expect(defaultJobs({ OPAMDOWNLOADJOBS: "5" })).toBe(5);
    expect(defaultJobs({ OPAMDOWNLOADJOBS: "0" })).toBe(16);
    expect(defaultRetries({})).toBe(3);
    expect(defaultRetries({ OPAMRETRIES: "0" })).toBe(0);
    expect(checksumPolicy({ OPAMNOCHECKSUMS: "1", OPAMREQUIRECHECKSUMS: "false" })).toEqual({ noChecksums: true, requireChecksums: false });
    expect(checksumPolicy({ OPAMREQUIRECHECKSUMS: "true" })).toEqual({ noChecksums: false, requireChecksums: true });
  });
  test("cache dir: option, OPAM_MONOREPO_CACHE, existing opam root, then XDG", () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), "cache-dir-"));
    try {
      const opamroot = path.join(scratch, "opamroot");
      const xdg = path.join(scratch, "xdg");
      expect(defaultCacheDir({ OPAMROOT: opamroot, XDG_CACHE_HOME: xdg }, "rel")).toBe(path.resolve("rel"));
      expect(defaultCacheDir({ OPAMROOT: opamroot, OPAM_MONOREPO_CACHE: "/c" })).toBe("/c");
      expect(defaultCacheDir({ OPAMROOT: opamroot, XDG_CACHE_HOME: xdg })).toBe(path.join(xdg, "opam-monorepo/download-cache"));
      mkdirSync(opamroot);
      expect(defaultCacheDir({ OPAMROOT: opamroot, XDG_CACHE_HOME: xdg })).toBe(path.join(opamroot, "download-cache"));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe("cacheKey", () => {
  const a = { dir: "a", url: "https://x/a.tbz", hashes: ["sha256=11", "md5=22"] };
  const b = { dir: "b", url: "git+https://x/b#c0ffee", hashes: [] };
  test("stable under reordering, sensitive to any source change", () => {
    const key = cacheKey({ repos: [a, b] });
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey({ repos: [b, { ...a, hashes: ["md5=22", "sha256=11"] }] })).toBe(key);
    expect(cacheKey({ repos: [a, { ...b, url: "git+https://x/b#c0ffef" }] })).not.toBe(key);
    expect(cacheKey({ repos: [a, { ...b, dir: "b2" }] })).not.toBe(key);
    expect(cacheKey({ repos: [a] })).not.toBe(key);
  });
});
