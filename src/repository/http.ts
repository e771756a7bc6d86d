// A repository published as an http(s) tarball (a `.tar.gz`/`.tgz` URL, or a repository root
// serving opam's `index.tar.gz`): downloaded with undici into `<cache>/repos/`, revalidated on
// every open with ETag/Last-Modified (a 304 costs one round trip), then read as an archive.
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { isUserError, UserError } from "../core/errors.js";
import { sha256Hex } from "../core/digest.js";
import { siblingTempPath } from "../core/fs.js";
import { loadUndici } from "../core/undici.js";
import { httpGet, httpLimits } from "../fetch/http-get.js";
import { openArchive } from "./archive.js";
import { withLock } from "./lock.js";
import type { OpenDeps, Repository } from "./repository.js";

interface Validators {
  url: string;
  etag?: string;
  lastModified?: string;
}

/** The tarball to download for a repository URL (opam's http layout: `<root>/index.tar.gz`). */
export function archiveUrlOf(url: string): string {
  const bare = url.replace(/#.*$/u, "");
  return /\.(tar\.gz|tgz)(\?.*)?$/iu.test(bare) ? bare : `${bare.replace(/\/+$/u, "")}/index.tar.gz`;
}

function withoutCredentials(url: string): string {
  return url.replace(/\/\/[^/@]*@/u, "//");
}

async function readValidators(file: string): Promise<Validators | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as Validators;
  } catch {
    return undefined;
  }
}

async function sameContent(a: string, b: string): Promise<boolean> {
  if (!existsSync(b)) return false;
  const [x, y] = await Promise.all([readFile(a), readFile(b)]);
  return x.equals(y);
}

/** Downloads into `target` unless the server says the cached copy is current. */
async function refresh(url: string, target: string, validators: Validators | undefined, env: NodeJS.ProcessEnv): Promise<Validators | "unchanged"> {
  const limits = httpLimits(env);
  // Loaded on first use: importing undici costs every command a large share of its start-up.
  const { newAgent } = await loadUndici();
  const agent = newAgent({ connectTimeout: 30_000 });
  try {
    const headers: Record<string, string> = { "user-agent": "opam-monorepo (TypeScript)" };
    if (validators?.url === url && validators.etag !== undefined) headers["if-none-match"] = validators.etag;
    if (validators?.url === url && validators.lastModified !== undefined) headers["if-modified-since"] = validators.lastModified;
    const response = await httpGet(url, { dispatcher: agent, headers, limits, shown: withoutCredentials(url) });
    if (response.statusCode === 304 && validators !== undefined) {
      response.body.destroy();
      return "unchanged";
    }
    if (response.statusCode !== 200) {
      response.body.destroy();
      throw new Error(`HTTP ${response.statusCode}`);
    }
    const temp = siblingTempPath(target);
    try {
      await pipeline(response.body, createWriteStream(temp));
      // The same bytes again keep the old file, and with it the archive's stat stamp: the index
      // cache stays valid when a server without validators sends an unchanged tarball.
      if (await sameContent(temp, target)) await rm(temp, { force: true });
      else await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    const header = (name: string) => (typeof response.headers[name] === "string" ? (response.headers[name] as string) : undefined);
    return { url, etag: header("etag"), lastModified: header("last-modified") };
  } finally {
    await agent.close();
  }
}

async function download(url: string, archive: string, deps: OpenDeps): Promise<void> {
  const metaFile = `${archive}.json`;
  const validators = existsSync(archive) ? await readValidators(metaFile) : undefined;
  let result: Validators | "unchanged";
  try {
    result = await refresh(url, archive, validators, deps.env ?? process.env);
  } catch (error) {
    if (isUserError(error) && error.code === "BAD_ARGUMENT") throw error;
    const prefix = `Failed to download ${withoutCredentials(url)}: `;
    const message = error instanceof Error ? error.message : String(error);
    const reason = message.startsWith(prefix) ? message.slice(prefix.length) : message;
    if (validators === undefined) {
      throw new UserError("REPO_UNREACHABLE", `repository ${withoutCredentials(url)} is unreachable: ${reason}`, {
        hint: "check the URL and your network access",
      });
    }
    deps.reporter?.warn(`could not refresh repository ${withoutCredentials(url)} (${reason}); using the copy downloaded earlier`);
    return;
  }
  if (result !== "unchanged") await writeFile(metaFile, JSON.stringify(result));
}

/** Downloads (or revalidates) and opens an http(s) repository tarball. */
export async function openHttp(spec: { url: string; label?: string }, deps: OpenDeps): Promise<Repository> {
  const url = archiveUrlOf(spec.url);
  const digest = sha256Hex(url).slice(0, 24);
  const archive = path.join(deps.cacheDir, "repos", `${digest}.tar.gz`);
  await mkdir(path.dirname(archive), { recursive: true });
  deps.reporter?.info(`Fetching repository ${withoutCredentials(spec.url)}`);
  deps.onProgress?.({ kind: "fetch", label: spec.label ?? withoutCredentials(spec.url) });
  return withLock(`${archive}.lock`, async () => {
    await download(url, archive, deps);
    const label = spec.label ?? withoutCredentials(spec.url);
    return openArchive({ path: archive, url: spec.url, label, identity: `http:${url}` }, deps);
  });
}
