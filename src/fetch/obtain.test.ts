// Getting archives: downloads over loopback with retries and streaming verification, cache
// hits that send no request, archive mirrors (http and file://), offline mode.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeEach, describe, expect, test } from "vitest";
import { serveDirectory, type StaticServer } from "../../test/helpers/http.js";
import { isUserError } from "../core/errors.js";
import { MemoryReporter } from "../core/reporter.js";
import { DownloadCache } from "./cache.js";
import { parseHashes } from "./checksum.js";
import { obtainArchive } from "./obtain.js";
import { openFetchSession, type FetchSession } from "./session.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "obtain-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const CONTENT = Buffer.from("pretend this is a tarball\n".repeat(2000));
const digest = (algo: string, data: Buffer) => createHash(algo).update(data).digest("hex");
const HASHES = [`sha256=${digest("sha256", CONTENT)}`, `md5=${digest("md5", CONTENT)}`];

let server: StaticServer;
let served: string;
let cache: DownloadCache;
let reporter: MemoryReporter;
let sessions: FetchSession[] = [];
let counter = 0;

beforeEach(async () => {
  served = path.join(scratch, `served-${counter++}`);
  mkdirSync(served, { recursive: true });
  writeFileSync(path.join(served, "a.tbz"), CONTENT);
  server = await serveDirectory(served);
  cache = new DownloadCache(path.join(scratch, `cache-${counter++}`));
  reporter = new MemoryReporter();
});
afterEach(async () => {
  await Promise.all(sessions.map((session) => session.close()));
  sessions = [];
  await server.close();
});

async function obtain(url: string, hashes: string[], options: { mirrors?: string[]; offline?: boolean; noChecksums?: boolean; requireChecksums?: boolean; retries?: number } = {}) {
  const session = await openFetchSession({
    cache, mirrors: options.mirrors ?? [], offline: options.offline ?? false, noChecksums: options.noChecksums ?? false,
    requireChecksums: options.requireChecksums ?? false, jobs: 4, retries: options.retries ?? 3, reporter, backoffMs: 5, timeoutMs: 2000,
  });
  sessions.push(session);
  return obtainArchive(url, parseHashes(hashes, url), session.context);
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!isUserError(error)) throw new Error(`expected a UserError, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

describe("download", () => {
  test("verifies while streaming, stores under every hash, then hits the cache without a request", async () => {
    const first = await obtain(`${server.url}/a.tbz`, HASHES);
    expect(first.from).toBe("url");
    expect(readFileSync(first.file)).toEqual(CONTENT);
    for (const hash of parseHashes(HASHES, "x")) expect(readFileSync(cache.entryPath(hash))).toEqual(CONTENT);
    const before = server.requests;
    const second = await obtain(`${server.url}/a.tbz`, HASHES);
    expect(second.from).toBe("cache");
    expect(server.requests).toBe(before);
  });

  test("retries 500 then succeeds; a 404 fails at once naming the URL without credentials", async () => {
    server.fail("/a.tbz", { kind: "status", status: 500 }, 2);
    expect((await obtain(`${server.url}/a.tbz`, HASHES)).from).toBe("url");
    expect(server.requestsFor("/a.tbz")).toBe(3);
    const missing = await failure(obtain(server.url.replace("http://", "http://user:secret@") + "/missing.tbz", [`sha256=${"2".repeat(64)}`]));
    expect(missing.code).toBe("DOWNLOAD_FAILED");
    expect(missing.message).toContain(`${server.url}/missing.tbz: HTTP 404`);
    expect(missing.message).not.toContain("secret");
    expect(server.requestsFor("/missing.tbz")).toBe(1);
  });

  test("truncated bodies and resets are retried; a permanent 500 gives up after the retries", async () => {
    server.fail("/a.tbz", { kind: "truncate" }, 1);
    server.fail("/a.tbz", { kind: "reset" }, 1);
    expect((await obtain(`${server.url}/a.tbz`, HASHES)).from).toBe("url");
    expect(server.requestsFor("/a.tbz")).toBe(3);
    server.fail("/a.tbz", { kind: "status", status: 503 }, 10);
    const error = await failure(obtain(`${server.url}/a.tbz`, [`sha512=${digest("sha512", CONTENT)}`], { retries: 2 }));
    expect(error.message).toMatch(/HTTP 503 \(after 3 attempts\)/);
  });

  test("a silent server times out and is retried; a refused connection fails at once (issue 12: no retries for a host that refuses)", async () => {
    server.fail("/a.tbz", { kind: "hang" }, 1);
    const session = await openFetchSession({ cache, mirrors: [], offline: false, noChecksums: false, requireChecksums: false, jobs: 2, retries: 2, reporter, backoffMs: 5, timeoutMs: 300 });
    sessions.push(session);
    expect((await obtainArchive(`${server.url}/a.tbz`, parseHashes(HASHES, "x"), session.context)).from).toBe("url");
    expect(server.requestsFor("/a.tbz")).toBe(2);
    const closed = await serveDirectory(served);
    const deadUrl = `${closed.url}/a.tbz`;
    await closed.close();
    const error = await failure(obtain(deadUrl, [`sha256=${"3".repeat(64)}`], { retries: 1 }));
    expect(error.code).toBe("HOST_UNREACHABLE");
    expect(error.message).toContain(deadUrl);
    expect(error.message).toMatch(/could not connect to 127\.0\.0\.1:\d+ \(connection refused\)$/);
  });

  test("a checksum mismatch names the URL, expected and actual hashes, and caches nothing", async () => {
    const wrong = `sha256=${"0".repeat(64)}`;
    const error = await failure(obtain(`${server.url}/a.tbz`, [wrong]));
    expect(error.code).toBe("CHECKSUM_MISMATCH");
    expect(error.message).toContain(`${server.url}/a.tbz`);
    expect(error.message).toContain(`expected ${wrong}`);
    expect(error.message).toContain(`got      sha256=${digest("sha256", CONTENT)}`);
    expect(existsSync(cache.entryPath(parseHashes([wrong], "x")[0]))).toBe(false);
  });

  test("redirects are followed", async () => {
    server.redirect("/old.tbz", "/a.tbz");
    expect((await obtain(`${server.url}/old.tbz`, HASHES)).from).toBe("url");
  });

  test("OPAMNOCHECKSUMS accepts a mismatch (uncached); OPAMREQUIRECHECKSUMS refuses no checksum", async () => {
    const result = await obtain(`${server.url}/a.tbz`, [`sha256=${"1".repeat(64)}`], { noChecksums: true });
    expect(result.temporary).toBe(true);
    const error = await failure(obtain(`${server.url}/a.tbz`, [], { requireChecksums: true }));
    expect(error.code).toBe("CHECKSUM_MISSING");
    const unchecked = await obtain(`${server.url}/a.tbz`, []);
    expect(unchecked.temporary).toBe(true);
  });
});

describe("cache", () => {
  test("a corrupt entry is removed with a warning and the archive downloaded again", async () => {
    const [strong] = parseHashes(HASHES, "x");
    mkdirSync(path.dirname(cache.entryPath(strong)), { recursive: true });
    writeFileSync(cache.entryPath(strong), "garbage");
    const result = await obtain(`${server.url}/a.tbz`, HASHES);
    expect(result.from).toBe("url");
    expect(reporter.lines.some((line) => line.includes("Conflicting file hashes, or broken or compromised cache!"))).toBe(true);
    expect(readFileSync(cache.entryPath(strong))).toEqual(CONTENT);
  });

  test("in-flight de-duplication: concurrent requests for one checksum download once", async () => {
    server.latencyMs = 100;
    const session = await openFetchSession({ cache, mirrors: [], offline: false, noChecksums: false, requireChecksums: false, jobs: 4, retries: 0, reporter });
    sessions.push(session);
    const hashes = parseHashes(HASHES, "x");
    await Promise.all([1, 2, 3, 4].map(() => obtainArchive(`${server.url}/a.tbz`, hashes, session.context)));
    expect(server.requestsFor("/a.tbz")).toBe(1);
  });
});

describe("mirrors and offline", () => {
  function mirrorDir(): string {
    const dir = path.join(scratch, `mirror-${counter++}`);
    const [strong] = parseHashes(HASHES, "x");
    const file = path.join(dir, strong.algo, strong.hex.slice(0, 2), strong.hex);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, CONTENT);
    return dir;
  }

  test("an http mirror is used before the URL", async () => {
    const mirror = await serveDirectory(mirrorDir());
    try {
      const result = await obtain(`${server.url}/a.tbz`, HASHES, { mirrors: [`${mirror.url}/`] });
      expect(result.from).toBe("mirror");
      expect(server.requests).toBe(0);
      expect(mirror.requests).toBe(1);
    } finally {
      await mirror.close();
    }
  });

  test("offline: a file:// mirror works, the network URL is never tried, a miss is OFFLINE_MISS", async () => {
    const mirror = pathToFileURL(mirrorDir()).href;
    const result = await obtain("https://example.invalid/a.tbz", HASHES, { mirrors: [mirror], offline: true });
    expect(result.from).toBe("mirror");
    const other = `sha256=${digest("sha256", Buffer.from("other"))}`;
    const error = await failure(obtain("https://example.invalid/b.tbz", [other], { mirrors: [mirror], offline: true }));
    expect(error.code).toBe("OFFLINE_MISS");
    expect(error.message).toContain("https://example.invalid/b.tbz");
  });

  test("a mirror serving the wrong bytes is skipped with a warning", async () => {
    const dir = mirrorDir();
    const [strong] = parseHashes(HASHES, "x");
    writeFileSync(path.join(dir, strong.algo, strong.hex.slice(0, 2), strong.hex), "tampered");
    const result = await obtain(`${server.url}/a.tbz`, HASHES, { mirrors: [pathToFileURL(dir).href] });
    expect(result.from).toBe("url");
    expect(reporter.lines.some((line) => line.includes("Checksum mismatch"))).toBe(true);
  });
});
