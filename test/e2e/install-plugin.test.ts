// `install-plugin` (issue 12.15) with a real opam root made by the machine's opam (`opam init
// --bare` from an empty local repository: no network): `opam monorepo` runs opam's own code before,
// ours after; a foreign file is never replaced or removed without --force; --remove undoes it.
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cliPath, pinnedEnv, projectRoot, runCli } from "../helpers/cli.js";
import { testdir } from "../helpers/testdir.js";

const haveOpam = spawnSync("opam", ["--version"], { encoding: "utf8" }).status === 0;
if (!haveOpam) console.warn("install-plugin.test.ts: opam is not installed; the opam plugin test is skipped");
const VERSION = (JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { version: string }).version;

let home: string;
let root: string;
let link: string;

/** `opam ARGS` with the test's OPAMROOT, stdin closed. */
function opam(args: string[]) {
  return spawnSync("opam", args, { cwd: home, env: pinnedEnv(home, { OPAMROOT: root }), encoding: "utf8", input: "", timeout: 60_000 });
}

const plugin = (args: string[]) => runCli(["install-plugin", ...args], { cwd: home, env: { OPAMROOT: root } });

describe.runIf(haveOpam)("install-plugin with a real opam root", () => {
  beforeAll(async () => {
    home = await testdir();
    root = path.join(home, "opam-root");
    link = path.join(root, "plugins", "bin", "opam-monorepo");
    const repo = path.join(home, "empty-repo");
    mkdirSync(path.join(repo, "packages"), { recursive: true });
    writeFileSync(path.join(repo, "repo"), 'opam-version: "2.0"\n');
    const init = opam(["init", "--bare", "--disable-sandboxing", "-n", "default", repo]);
    expect(init.status, init.stderr).toBe(0);
  }, 120_000);

  it("links $OPAMROOT/plugins/bin/opam-monorepo, after which `opam monorepo` runs ours", async () => {
    const before = opam(["monorepo", "--version"]);
    expect(before.stdout.trim()).not.toBe(VERSION);
    const installed = await plugin([]);
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toBe(`==> Linked ${link} to ${cliPath}: \`opam monorepo\` now runs this opam-monorepo.\n`);
    expect(realpathSync(link)).toBe(realpathSync(cliPath));
    expect(opam(["monorepo", "--version"]).stdout).toBe(`${VERSION}\n`);
    const help = opam(["monorepo", "cache-key", "--help=plain"]);
    expect(help.stdout).toContain("opam-monorepo-cache-key - ");
    const again = JSON.parse((await plugin(["--json", "--opam-root", root])).stdout) as { action: string };
    expect(again.action).toBe("unchanged");
  }, 60_000);

  it("refuses to replace or remove another file without --force (PLUGIN_LINK_EXISTS), and replaces it with --force", async () => {
    rmSync(link, { force: true });
    writeFileSync(link, "#!/bin/sh\necho the opam-installed plugin\n", { mode: 0o755 });
    const refused = await plugin([]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`opam-monorepo: [ERROR] ${link} is a file, not this opam-monorepo`);
    expect(refused.stderr).toContain("pass --force to replace it");
    const json = JSON.parse((await plugin(["--json"])).stdout) as { ok: boolean; error: { code: string } };
    expect(json).toMatchObject({ ok: false, error: { code: "PLUGIN_LINK_EXISTS" } });
    expect((await plugin(["--remove"])).code).toBe(1);
    expect(readFileSync(link, "utf8")).toContain("the opam-installed plugin");
    const forced = JSON.parse((await plugin(["--force", "--json"])).stdout) as { action: string };
    expect(forced.action).toBe("replaced");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(cliPath);
  }, 60_000);

  it("--remove removes our link (and says when there is none)", async () => {
    expect((await plugin([])).code).toBe(0);
    const removed = await plugin(["--remove"]);
    expect(removed.stdout).toContain(`==> Removed ${link}`);
    expect(existsSync(link)).toBe(false);
    expect(opam(["monorepo", "--version"]).stdout.trim()).not.toBe(VERSION);
    const absent = JSON.parse((await plugin(["--remove", "--json"])).stdout) as { action: string };
    expect(absent.action).toBe("absent");
  }, 60_000);
});

describe("install-plugin without an opam root", () => {
  it("fails with PLUGIN_NO_OPAM_ROOT and says how to make one", async () => {
    const dir = await testdir();
    const result = await runCli(["install-plugin", "--opam-root", path.join(dir, "nothing")], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no opam root at ${path.join(dir, "nothing")}`);
    expect(result.stderr).toContain("Hint: run `opam init` first");
  });
});
