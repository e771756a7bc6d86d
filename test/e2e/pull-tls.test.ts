// `pull` over https with NODE_EXTRA_CA_CERTS naming the only CA that signs the loopback server's
// certificate. bin/ keeps that variable from Node's start-up (it costs ~50 ms per command) and
// the https agents trust the file themselves (src/core/extra-ca.ts): the download must work
// through the shell entry point as it does when Node reads the file, and fail without it.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SAMPLE_TREE, archiveOf } from "../helpers/archives.js";
import { cliPath, pinnedEnv, type CliResult } from "../helpers/cli.js";
import { writePullProject } from "../helpers/pull-project.js";
import { testdir } from "../helpers/testdir.js";

const haveOpenssl = spawnSync("openssl", ["version"]).status === 0;

let server: https.Server;
let scratch: string;
let cert: string;
let url: string;
let sha256: string;
let counter = 0;

beforeAll(async () => {
  if (!haveOpenssl) return;
  scratch = await testdir({}, "om-pull-tls-");
  cert = path.join(scratch, "cert.pem");
  const key = path.join(scratch, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  const archive = readFileSync(archiveOf(SAMPLE_TREE, path.join(scratch, "a.tar.gz"), "tar.gz"));
  sha256 = createHash("sha256").update(archive).digest("hex");
  server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_request, response) => response.writeHead(200).end(archive));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/a.tar.gz`;
});

afterAll(async () => {
  if (server === undefined) return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** `pull` in a fresh project, started as `argv` (the shell entry point, or node on it). */
function pull(argv: string[], env: NodeJS.ProcessEnv): Promise<CliResult & { root: string }> {
  const root = writePullProject(path.join(scratch, `p${counter++}`), [{ dir: "a", url, hashes: [`sha256=${sha256}`], provides: [{ name: "a", version: "1" }] }]);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, [...argv.slice(1), "pull", "--cache-dir", path.join(root, "cache")], { cwd: root, env: pinnedEnv(scratch, { OPAMRETRIES: "0", ...env }), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, root }));
  });
}

const pulled = (root: string) => existsSync(path.join(root, "duniverse", "a", "src", "lib.ml"));

describe.skipIf(!haveOpenssl)("pull over https with NODE_EXTRA_CA_CERTS", () => {
  test("through bin/ (which keeps the file from Node's start-up): the agents trust it", async () => {
    const run = await pull([cliPath], { NODE_EXTRA_CA_CERTS: cert });
    expect(run.code, run.stderr).toBe(0);
    expect(pulled(run.root)).toBe(true);
  });

  test("the deferred file alone (Node never read it) is trusted; without it the certificate is refused", async () => {
    const deferred = await pull([process.execPath, cliPath], { OPAM_MONOREPO_DEFERRED_CA_CERTS: cert });
    expect(deferred.code, deferred.stderr).toBe(0);
    expect(pulled(deferred.root)).toBe(true);
    const untrusted = await pull([cliPath], {});
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/certificate/u);
    expect(pulled(untrusted.root)).toBe(false);
  });

  test("an unreadable deferred file is Node's warning, and the certificate is refused", async () => {
    const run = await pull([process.execPath, cliPath], { OPAM_MONOREPO_DEFERRED_CA_CERTS: path.join(scratch, "missing.pem") });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Warning: Ignoring extra certs from \`${path.join(scratch, "missing.pem")}\`, load failed`);
  });
});
