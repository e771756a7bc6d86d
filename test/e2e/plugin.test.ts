// The executable as opam runs it: `opam monorepo …` through a stand-in `opam` that dispatches
// plugins as opam does (opam-monorepo found on PATH or in <root>/plugins/bin, remaining arguments,
// same exit code); the `monorepo` alias; `npx`; --help examples; colours only on a terminal.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, projectRoot } from "../helpers/cli.js";
import { copyFixtures, MONOREPO_BIN, removeTempDirs, run, show, tempDir, writeStandins, type FixtureCopy, type Standins } from "./plugin-world.js";

const VERSION = (JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { version: string }).version;

let copy: FixtureCopy;
let standins: Standins;
const opam = (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}) =>
  run("opam", args, { cwd: options.cwd ?? copy.example, home: copy.dir, standins, env: options.env, input: options.input });

afterAll(removeTempDirs);
beforeAll(async () => {
  copy = await copyFixtures("om-plugin-");
  standins = writeStandins(copy.dir);
});

describe("opam monorepo (the plugin call path)", () => {
  it("runs lock and records only the arguments after the subcommand", async () => {
    const result = await opam(["monorepo", "lock", "--ocaml-version", "4.13.1", "--build-only"]);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toMatch(/==> Wrote lockfile with 2 entries to \S+hello\.opam\.locked\. You can now run opam monorepo pull/);
    const lock = readFileSync(path.join(copy.example, "hello.opam.locked"), "utf8");
    expect(lock).toContain('x-opam-monorepo-cli-args: ["--ocaml-version" "4.13.1" "--build-only"]');
  });

  it("keeps the plugin's exit codes: 1 for a handled error, 124 for a bad command line", async () => {
    const missing = await opam(["monorepo", "lock", "no-such-package"]);
    expect(missing.code, show(missing)).toBe(1);
    expect(missing.stderr).toMatch(/^opam-monorepo: \[ERROR\] Package no-such-package specified but not found in repository/m);
    expect((await opam(["monorepo", "lock", "--no-such-flag"])).code).toBe(124);
    const ambiguous = await opam(["monorepo", "l"]);
    expect(ambiguous.code).toBe(124);
    expect(ambiguous.stderr).toMatch(/ambiguous/);
    expect(await opam(["monorepo", "--version"])).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it("accepts subcommand and option prefixes, and opam's own -y before `monorepo`", async () => {
    const lock = await opam(["monorepo", "lo", "--ocaml-v", "4.13.1", "--build"]);
    expect(lock.code, show(lock)).toBe(0);
    const list = await opam(["-y", "monorepo", "li", "--sh", "--lock", "./hello.opam.locked"]);
    expect(list, show(list)).toMatchObject({ code: 0, stdout: "greet\nshout\nshout-utils\n" });
    const why = await opam(["monorepo", "wh", "greet"]);
    expect(why, show(why)).toMatchObject({ code: 0, stdout: "hello -> shout {>= 2.0} -> greet {>= 1.0}\n" });
  });

  it("pulls with `opam monorepo pu` (prefixes), offline from the fixtures' archive mirror", async () => {
    const mirror = path.join(copy.fixtures, "mirror");
    const pull = await opam(["monorepo", "pu", "--arch", mirror, "--off", "-y", "--lock", "hello.opam.locked", "-r", copy.example]);
    expect(pull.code, show(pull)).toBe(0);
    expect(pull.stdout).toMatch(/==> Successfully pulled 2\/2 repositories \(.*\) in [0-9.]+ s\n/);
    expect(readFileSync(path.join(copy.example, "duniverse", "shout", "src", "shout.ml"), "utf8")).toContain("Shout_utils.upper");
    const list = await opam(["monorepo", "li"]);
    expect(list.stdout).toContain("greet       1.0 Says hello (fixture library for opam-monorepo's example)\n");
  });

  it("runs depext --yes --lock ./F.opam.locked as ocaml-ci does, through `opam exec --`", async () => {
    const result = await opam(["exec", "--", "opam", "monorepo", "depext", "--yes", "--lock", "./hello.opam.locked"]);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toBe(`==> Using lockfile ./hello.opam.locked\n`);
  });

  it("finds opam-monorepo in <opamroot>/plugins/bin, where opam links installed plugins", async () => {
    const home = await tempDir({}, "om-plugin-root-");
    const bare = writeStandins(home, { monorepo: false });
    const absent = await run("opam", ["monorepo", "--version"], { cwd: home, home, standins: bare });
    expect(absent.code).toBe(2);
    expect(absent.stderr).toMatch(/no plugin opam-monorepo/);
    const plugins = path.join(home, ".opam", "plugins", "bin");
    mkdirSync(plugins, { recursive: true });
    symlinkSync(cliPath, path.join(plugins, "opam-monorepo"));
    const found = await run("opam", ["monorepo", "--version"], { cwd: home, home, standins: bare });
    expect(found, show(found)).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });
});

describe("the executables", () => {
  it("`monorepo` is the same program", async () => {
    const result = await run(MONOREPO_BIN, ["list", "-s"], { cwd: copy.example, home: copy.dir, standins });
    expect(result, show(result)).toMatchObject({ code: 0, stdout: "greet\nshout\nshout-utils\n" });
  });

  it("`npx opam-monorepo --version` runs the package's bin from the repository root, offline", async () => {
    const home = await tempDir({}, "om-npx-");
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      npm_config_offline: "true",
      npm_config_update_notifier: "false",
      npm_config_audit: "false",
      npm_config_fund: "false",
      // npx links the local package; its `prepare` script would rebuild dist/ under other tests' feet.
      npm_config_ignore_scripts: "true",
    };
    const result = spawnSync("npx", ["opam-monorepo", "--version"], { cwd: projectRoot, env, encoding: "utf8", timeout: 120_000 });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toBe(`${VERSION}\n`);
  }, 150_000);

  it("every command's --help shows examples", async () => {
    const top = await run("opam-monorepo", ["--help"], { cwd: copy.dir, home: copy.dir, standins });
    const commands = [...top.stdout.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((match) => match[1]!).filter((name) => name !== "help");
    expect(commands).toEqual(expect.arrayContaining(["lock", "pull", "depext", "list", "workspace", "why", "mirror", "cache-key"]));
    for (const command of commands) {
      const help = await run("opam-monorepo", [command, "--help"], { cwd: copy.dir, home: copy.dir, standins });
      expect(help.code, `${command} --help`).toBe(0);
      expect(help.stdout, `${command} --help`).toMatch(new RegExp(`\\nExamples:\\n(  \\$ (opam-monorepo|opam monorepo) ${command}\\b.*\\n)+`));
    }
  }, 120_000);
});

/** Runs `line` under `script`, so stdin, stdout and stderr are a terminal; returns what it printed. */
function inTerminal(line: string, env: NodeJS.ProcessEnv): string {
  const result = spawnSync("script", ["-qec", line, "/dev/null"], { cwd: copy.example, env: { ...env, TERM: "xterm" }, encoding: "utf8", timeout: 60_000 });
  return result.stdout;
}
const haveScript = spawnSync("script", ["--version"]).status === 0;
if (!haveScript) console.warn("skipping terminal colour tests: util-linux `script` is not installed");

describe.runIf(haveScript)("colours", () => {
  const base = () => ({ PATH: standins.path(), HOME: copy.dir, XDG_CACHE_HOME: path.join(copy.dir, ".cache") });
  const ESC = "\x1b[";

  it("are used on a terminal, for steps and errors", () => {
    const out = inTerminal("opam-monorepo list; opam-monorepo why nothing-like-this", base());
    expect(out).toContain(`${ESC}34m==>${ESC}0m Using lockfile`);
    expect(out).toContain(`${ESC}31m[ERROR]${ESC}0m nothing-like-this is not in the lock file`);
  });

  it("are never used with NO_COLOR, nor when stdout is piped, nor with --color=never", () => {
    expect(inTerminal("opam-monorepo list; opam-monorepo why nothing-like-this", { ...base(), NO_COLOR: "1" })).not.toContain(ESC);
    expect(inTerminal("opam-monorepo list | cat", base())).not.toContain(ESC);
    expect(inTerminal("opam-monorepo list --color=never", base())).not.toContain(ESC);
    expect(inTerminal("opam-monorepo list --color=always | cat", { ...base(), NO_COLOR: "1" })).toContain(`${ESC}34m==>`);
  });
});
