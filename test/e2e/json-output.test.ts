// `--json` on pull, depext, mirror and cache-key (issue 12.12), through the real CLI: stdout is one
// JSON document with the fields the README documents, the `==>` steps are gone, stderr stays short;
// a failure is `{ "ok": false, "error": … }` on stdout and exit 1.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { LOCKFILE_NAME, writePullProject } from "../helpers/pull-project.js";
import { servedMixed } from "../helpers/pull-served.js";
import { MIXED } from "../helpers/pull-world.js";

const served = servedMixed("om-json-");
const n = MIXED.length;

function parsed(stdout: string): Record<string, unknown> {
  const json = JSON.parse(stdout) as Record<string, unknown>;
  expect(stdout.trimEnd().split("\n")[0]).toBe("{");
  return json;
}

/** At most a couple of warning lines, never a step. */
function shortStderr(stderr: string): void {
  expect(stderr).not.toContain("==>");
  expect(stderr.split("\n").filter((line) => line !== "").length).toBeLessThanOrEqual(4);
}

describe("--json", () => {
  it("cache-key: { ok, key, lockfile, repositories }, the key the plain command prints", async () => {
    const root = writePullProject(served.fresh("p"), served.repos);
    const plain = await runCli(["cache-key"], { cwd: root });
    const json = await runCli(["cache-key", "--json"], { cwd: root });
    expect(json.code).toBe(0);
    expect(parsed(json.stdout)).toEqual({ ok: true, key: plain.stdout.trim(), lockfile: path.join(root, LOCKFILE_NAME), repositories: n });
    expect(json.stderr).toBe("");
  });

  it("pull, pull --download-only and a warm pull: the summary with where each source came from", async () => {
    const home = served.fresh("home");
    const root = writePullProject(served.fresh("p"), served.repos);
    const download = await runCli(["pull", "--download-only", "--json"], { cwd: root, home });
    expect(download.code, download.stderr).toBe(0);
    expect(parsed(download.stdout)).toMatchObject({ ok: true, downloadOnly: true, archives: n, downloaded: n, fromCache: 0, fromMirror: 0, skipped: [] });
    shortStderr(download.stderr);
    const pull = await runCli(["pull", "--json"], { cwd: root, home });
    expect(pull.code, pull.stderr).toBe(0);
    const summary = parsed(pull.stdout);
    expect(summary).toMatchObject({ ok: true, lockfile: path.join(root, LOCKFILE_NAME), duniverse: path.join(root, "duniverse"), pulled: n, total: n, preserved: [], fromCache: n, downloaded: 0, requests: 0, bytes: 0 });
    expect(typeof summary.seconds).toBe("number");
    shortStderr(pull.stderr);
  }, 60_000);

  it("mirror: { ok, lockfile, dir, written, skipped }", async () => {
    const root = writePullProject(served.fresh("p"), served.repos);
    const target = served.fresh("mirror");
    const result = await runCli(["mirror", target, "--json"], { cwd: root, home: served.fresh("home") });
    expect(result.code, result.stderr).toBe(0);
    expect(parsed(result.stdout)).toEqual({ ok: true, lockfile: path.join(root, LOCKFILE_NAME), dir: target, written: n, skipped: [] });
    expect(result.stderr).toBe("");
  }, 60_000);

  it("depext --dry-run: the same packages as the plain dry run; nothing to do without depexts", async () => {
    const root = writePullProject(served.fresh("p"), served.repos);
    const none = await runCli(["depext", "--json"], { cwd: root });
    expect(none.code, none.stderr).toBe(0);
    expect(parsed(none.stdout)).toEqual({ ok: true, lockfile: path.join(root, LOCKFILE_NAME), action: "nothing-to-do", packages: [], commands: [] });
    const file = path.join(root, LOCKFILE_NAME);
    writeFileSync(file, `${readFileSync(file, "utf8")}depexts: [["libfoo-dev-not-a-real-package" "libgmp-dev"]]\n`);
    const plain = await runCli(["depext", "--dry-run"], { cwd: root });
    const json = await runCli(["depext", "--dry-run", "--json"], { cwd: root });
    expect(json.code, json.stderr).toBe(0);
    const result = parsed(json.stdout);
    // What the host's package manager says decides between the two (libgmp-dev may be installed).
    expect(result).toMatchObject({ ok: true, action: plain.stdout.trim() === "" ? "nothing-to-do" : "dry-run", commands: [] });
    expect((result.packages as string[]).join(" ")).toBe(plain.stdout.trim());
  }, 60_000);

  it("a failure: { ok: false, error: { code, message, hint, details } } on stdout, exit 1", async () => {
    const empty = served.fresh("empty");
    for (const command of [["pull"], ["depext"], ["mirror", "x"], ["cache-key"]]) {
      writePullProject(empty, []);
      const result = await runCli([...command, "--json", "-l", "nothing.opam.locked"], { cwd: empty });
      expect(result.code, command.join(" ")).toBe(1);
      const error = parsed(result.stdout) as { ok: boolean; error: { code: string } };
      expect(error.ok).toBe(false);
      expect(error.error.code).toBe("LOCKFILE_MISSING");
    }
  }, 60_000);
});
