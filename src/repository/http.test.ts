// http(s) tarball repositories served on 127.0.0.1: download, ETag revalidation, errors, offline.
import { afterEach, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { MemoryReporter } from "../core/reporter.js";
import { opamRepo } from "../../test/helpers/opam-repo.js";
import { testdir } from "../../test/helpers/testdir.js";
import { archiveUrlOf, openHttp } from "./http.js";

interface Served {
  base: string;
  log: string[];
  files: Map<string, Buffer>;
  close(): Promise<void>;
}

const servers: Served[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Serves `files` on 127.0.0.1 with ETags (unless `validators` is false); logs "<path> <status>". */
async function serve(files: Map<string, Buffer>, validators = true): Promise<Served> {
  const log: string[] = [];
  const server: Server = createServer((request, response) => {
    const body = files.get(request.url ?? "");
    if (body === undefined) {
      log.push(`${request.url} 404`);
      return response.writeHead(404).end("not found");
    }
    if (!validators) {
      log.push(`${request.url} 200`);
      return response.writeHead(200, { "content-type": "application/gzip" }).end(body);
    }
    const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 16)}"`;
    if (request.headers["if-none-match"] === etag) {
      log.push(`${request.url} 304`);
      return response.writeHead(304, { etag }).end();
    }
    log.push(`${request.url} 200`);
    response.writeHead(200, { etag, "content-type": "application/gzip" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const served: Served = {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    files,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  servers.push(served);
  return served;
}

async function tarball(dir: string, versions: string[]): Promise<Buffer> {
  const builder = opamRepo();
  for (const version of versions) builder.pkg("a", version);
  return readFile(await builder.writeTarGz(path.join(dir, `r-${versions.join("-")}.tar.gz`), "opam-repository-main"));
}

describe("http repository", () => {
  it("maps a repository root to opam's index.tar.gz", () => {
    expect(archiveUrlOf("https://opam.example.com/")).toBe("https://opam.example.com/index.tar.gz");
    expect(archiveUrlOf("https://x/archive/main.tar.gz")).toBe("https://x/archive/main.tar.gz");
    expect(archiveUrlOf("https://x/r.tgz#frag")).toBe("https://x/r.tgz");
  });

  it("keeps the index cache when a server without validators sends the same tarball again", async () => {
    const dir = await testdir();
    const cacheDir = path.join(dir, "cache");
    const server = await serve(new Map([["/repo.tar.gz", await tarball(dir, ["1", "2"])]]), false);
    const url = `${server.base}/repo.tar.gz`;
    await (await openHttp({ url }, { cacheDir })).flush();
    const reporter = new MemoryReporter();
    const again = await openHttp({ url }, { cacheDir, reporter });
    expect(server.log).toEqual(["/repo.tar.gz 200", "/repo.tar.gz 200"]);
    expect(again.versions("a")).toEqual(["2", "1"]);
    expect(reporter.lines.some((line) => line.includes("reading every opam file"))).toBe(false);
    server.files.set("/repo.tar.gz", await tarball(dir, ["1", "2", "3"]));
    const changed = await openHttp({ url }, { cacheDir });
    expect(changed.versions("a")).toEqual(["3", "2", "1"]);
  });

  it("downloads a tarball, then revalidates it with its ETag and reuses the cached copy", async () => {
    const dir = await testdir();
    const cacheDir = path.join(dir, "cache");
    const server = await serve(new Map([["/repo.tar.gz", await tarball(dir, ["1", "2"])]]));
    const url = `${server.base}/repo.tar.gz`;
    const repo = await openHttp({ url }, { cacheDir });
    expect(repo.url).toBe(url);
    expect(repo.versions("a")).toEqual(["2", "1"]);
    expect(repo.readOpam("a", "2")?.version).toBe("2");
    await repo.flush();
    const reporter = new MemoryReporter();
    const again = await openHttp({ url }, { cacheDir, reporter });
    expect(again.versions("a")).toEqual(["2", "1"]);
    expect(reporter.lines.some((line) => line.includes("reading every opam file"))).toBe(false);
    server.files.set("/repo.tar.gz", await tarball(dir, ["1", "2", "3"]));
    const updated = await openHttp({ url }, { cacheDir });
    expect(updated.versions("a")).toEqual(["3", "2", "1"]);
    expect(server.log).toEqual(["/repo.tar.gz 200", "/repo.tar.gz 304", "/repo.tar.gz 200"]);
  });

  it("fetches <root>/index.tar.gz for a repository root URL", async () => {
    const dir = await testdir();
    const server = await serve(new Map([["/opam/index.tar.gz", await tarball(dir, ["1"])]]));
    const repo = await openHttp({ url: `${server.base}/opam` }, { cacheDir: path.join(dir, "cache") });
    expect(repo.versions("a")).toEqual(["1"]);
    expect(server.log).toEqual(["/opam/index.tar.gz 200"]);
  });

  it("fails with REPO_UNREACHABLE naming the URL on an HTTP error or a refused connection", async () => {
    const dir = await testdir();
    const cacheDir = path.join(dir, "cache");
    const server = await serve(new Map());
    const url = `${server.base}/missing.tar.gz`;
    await expect(openHttp({ url }, { cacheDir })).rejects.toMatchObject({ code: "REPO_UNREACHABLE", message: expect.stringMatching(/missing\.tar\.gz.*HTTP 404/) });
    await server.close();
    servers.length = 0;
    await expect(openHttp({ url }, { cacheDir })).rejects.toMatchObject({ code: "REPO_UNREACHABLE", message: expect.stringContaining(url) });
  });

  it("uses the copy downloaded earlier, with a warning, when the server is gone", async () => {
    const dir = await testdir();
    const cacheDir = path.join(dir, "cache");
    const server = await serve(new Map([["/r.tar.gz", await tarball(dir, ["1"])]]));
    const url = `${server.base}/r.tar.gz`;
    await (await openHttp({ url }, { cacheDir })).flush();
    await server.close();
    servers.length = 0;
    const reporter = new MemoryReporter();
    const repo = await openHttp({ url }, { cacheDir, reporter });
    expect(repo.versions("a")).toEqual(["1"]);
    expect(reporter.lines.join("\n")).toMatch(/\[WARNING\] could not refresh repository .*r\.tar\.gz/);
  });
});
