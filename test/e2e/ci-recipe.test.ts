// The CI recipe of docs/ci.md, run as written: its GitHub Actions steps are read from the doc and
// executed by a small emulator (run steps in bash with GITHUB_ENV/GITHUB_OUTPUT, actions/cache as a
// directory store, `if:` on step outputs). First run online against a loopback server; second run
// in a fresh checkout with the cache restored and the server stopped: no connection may be opened.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pinnedEnv, projectRoot } from "../helpers/cli.js";
import { serveDirectory, type StaticServer } from "../helpers/http.js";
import { hasDune, run, shell, show } from "./plugin-world.js";
import { APP_PROJECT, closeWorld, hostCompiler, unikernelWorld, writeProject, type UnikernelWorld } from "./mirage-world.js";

interface Step {
  name: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with: Record<string, string>;
  env: Record<string, string>;
}

/** The steps of the ```yaml block of docs/ci.md (the layout the doc uses: 6-space steps, 8-space keys). */
function workflowSteps(markdown: string): Step[] {
  const yaml = /```yaml\n([\s\S]*?)```/.exec(markdown)?.[1];
  if (yaml === undefined) throw new Error("docs/ci.md has no ```yaml block");
  const steps: Step[] = [];
  const lines = yaml.split("\n");
  let block: "with" | "env" = "with";
  for (let i = 0; i < lines.length; i++) {
    const start = /^ {6}- name: (.*)$/.exec(lines[i]!);
    if (start) steps.push({ name: start[1]!, with: {}, env: {} });
    const opened = /^ {8}(with|env):$/.exec(lines[i]!);
    if (opened) block = opened[1] as "with" | "env";
    const key = /^ {8}(id|if|uses|run): ?(.*)$/.exec(lines[i]!);
    const step = steps[steps.length - 1];
    if (key && step) {
      let value = key[2]!;
      if (value === "|") {
        const body: string[] = [];
        while (i + 1 < lines.length && (/^ {10}/.test(lines[i + 1]!) || lines[i + 1] === "")) body.push(lines[++i]!.slice(10));
        value = body.join("\n").trim();
      }
      step[key[1] as "id" | "if" | "uses" | "run"] = value;
    }
    const setting = /^ {10}([\w-]+): (.*)$/.exec(lines[i]!);
    if (setting && step && step.run === undefined) step[block][setting[1]!] = setting[2]!;
  }
  return steps;
}

interface RunnerState {
  env: Record<string, string>;
  outputs: Record<string, Record<string, string>>;
  temp: string;
}

function expand(text: string, state: RunnerState): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_all, expression: string) => {
    if (expression === "runner.temp") return state.temp;
    if (expression === "runner.os") return "Linux";
    const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression);
    if (output) return state.outputs[output[1]!]?.[output[2]!] ?? "";
    throw new Error(`the emulator does not know the expression ${expression}`);
  });
}

function condition(text: string | undefined, state: RunnerState): boolean {
  if (text === undefined) return true;
  const match = /^steps\.([\w-]+)\.outputs\.([\w-]+) (==|!=) '([^']*)'$/.exec(text.trim());
  if (!match) throw new Error(`the emulator does not know the condition ${text}`);
  const value = state.outputs[match[1]!]?.[match[2]!] ?? "";
  return (value === match[4]) === (match[3] === "==");
}

/** `KEY=value` lines written to $GITHUB_ENV / $GITHUB_OUTPUT by a step. */
function keyValues(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return Object.fromEntries(readFileSync(file, "utf8").split("\n").filter((line) => line.includes("=")).map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
}

interface Job {
  /** The repository (what actions/checkout copies). */
  repository: string;
  /** A fresh runner directory: workspace, temp, home. */
  runner: string;
  /** actions/cache storage shared between runs: key → directory. */
  cacheStore: string;
  /** Steps the emulator does not run, with the reason. */
  skip: Record<string, string>;
  /** Values of steps' `env:` the test replaces (the release URL of the install step). */
  envOverrides: Record<string, string>;
  /** Extra environment of every run step (npm's prefix, cache and offline mode; PATH). */
  runnerEnv: (runner: string) => Record<string, string>;
  world: UnikernelWorld;
}

interface JobResult {
  ran: string[];
  failed?: { step: string; output: string };
  state: RunnerState;
  workspace: string;
}

async function runStep(step: Step, job: Job, state: RunnerState, workspace: string): Promise<{ ok: boolean; output: string }> {
  if (step.uses?.startsWith("actions/checkout@")) {
    cpSync(job.repository, workspace, { recursive: true });
    return { ok: true, output: "" };
  }
  if (step.uses?.startsWith("actions/setup-node@")) return { ok: true, output: "" };
  const cachePath = step.with.path === undefined ? "" : expand(step.with.path, state);
  const stored = step.with.key === undefined ? "" : path.join(job.cacheStore, expand(step.with.key, state));
  if (step.uses?.startsWith("actions/cache/restore@")) {
    const hit = existsSync(stored);
    if (hit) cpSync(stored, cachePath, { recursive: true });
    state.outputs[step.id ?? ""] = { "cache-hit": hit ? "true" : "" };
    return { ok: true, output: "" };
  }
  if (step.uses?.startsWith("actions/cache/save@")) {
    if (!existsSync(stored)) cpSync(cachePath, stored, { recursive: true });
    return { ok: true, output: "" };
  }
  if (step.run === undefined) throw new Error(`the emulator cannot run step ${step.name} (${step.uses})`);
  const files = { GITHUB_ENV: path.join(state.temp, `env-${step.id ?? "x"}`), GITHUB_OUTPUT: path.join(state.temp, `output-${step.id ?? "x"}`) };
  const stepEnv = Object.fromEntries(Object.entries(step.env).map(([name, value]) => [name, job.envOverrides[name] ?? expand(value, state)]));
  const env = { ...job.world.env, ...job.runnerEnv(job.runner), ...state.env, ...stepEnv, ...files, RUNNER_TEMP: state.temp, CI: "true" };
  const result = await run("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", expand(step.run, state)], {
    cwd: workspace, home: path.join(job.runner, "home"), standins: job.world.standins, env, timeoutMs: 300_000,
  });
  Object.assign(state.env, keyValues(files.GITHUB_ENV));
  if (step.id) state.outputs[step.id] = keyValues(files.GITHUB_OUTPUT);
  rmSync(files.GITHUB_ENV, { force: true });
  rmSync(files.GITHUB_OUTPUT, { force: true });
  return { ok: result.code === 0, output: show(result) };
}

/** Runs the doc's job like GitHub does: steps in order, `if:` on outputs, stop at the first failure. */
async function runJob(steps: Step[], job: Job): Promise<JobResult> {
  const workspace = path.join(job.runner, "work");
  const state: RunnerState = { env: {}, outputs: {}, temp: path.join(job.runner, "temp") };
  for (const dir of [workspace, state.temp, path.join(job.runner, "home")]) mkdirSync(dir, { recursive: true });
  const ran: string[] = [];
  for (const step of steps) {
    if (job.skip[step.name] !== undefined || !condition(step.if, state)) continue;
    ran.push(step.name);
    const outcome = await runStep(step, job, state, workspace);
    if (!outcome.ok) return { ran, failed: { step: step.name, output: outcome.output }, state, workspace };
  }
  return { ran, state, workspace };
}

/** A TCP listener on `port` that records every connection attempt and closes it at once. */
async function connectionTrap(port: number): Promise<{ attempts: () => number; close: () => Promise<void> }> {
  let attempts = 0;
  const server = net.createServer((socket) => {
    attempts++;
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
  return { attempts: () => attempts, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const host = hostCompiler();
if ("skip" in host) console.warn(`skipping the CI recipe test: ${host.skip}`);
/** apt-get and sudo are stand-ins (they log); npm installs into the runner's own prefix. */
const SKIP = {
  ...(hasDune() ? {} : { Build: "`dune` is not on PATH" }),
};


describe.runIf("version" in host)("the CI recipe of docs/ci.md", () => {
  const steps = workflowSteps(readFileSync(path.join(projectRoot, "docs", "ci.md"), "utf8"));
  let world: UnikernelWorld;
  let repository: string;
  let available = false;
  let release: { server: StaticServer; tarball: string } | undefined;
  let npmCache = "";
  const job = (name: string): Job => ({
    repository, runner: path.join(world.home, name), cacheStore: path.join(world.home, "actions-cache"), skip: SKIP, world,
    envOverrides: { OPAM_MONOREPO_TARBALL: `${release!.server.url}/${release!.tarball}` },
    runnerEnv: (runner) => ({
      npm_config_prefix: path.join(runner, "npm-global"), npm_config_cache: npmCache, npm_config_offline: "true",
      npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false",
      PATH: [path.join(runner, "npm-global", "bin"), world.standins.path()].join(path.delimiter),
    }),
  });

  beforeAll(async () => {
    world = await unikernelWorld("version" in host ? host.version : "", "om-ci-");
    repository = writeProject(path.join(world.home, "repository"), { ...APP_PROJECT, ".gitignore": "/duniverse/\n/_build/\n" });
    const lock = await shell("opam-monorepo lock", { cwd: repository, home: world.home, standins: world.standins, env: world.env });
    expect(lock.code, show(lock)).toBe(0);
    const probes = await Promise.all(["cache-key", "pull"].map((command) => run("opam-monorepo", [command, "--help"], { cwd: repository, home: world.home, standins: world.standins })));
    available = probes.every((probe) => probe.code === 0 && /Examples:/.test(probe.stdout));
    if (!available) console.warn("CI recipe: `pull` and `cache-key` are not available yet; only the workflow's shape is checked");
  }, 60_000);
  beforeAll(async () => {
    // The release tarball: `npm pack` of this checkout (already built), served as a release URL would be.
    const served = path.join(world.home, "release");
    mkdirSync(served, { recursive: true });
    const pack = spawnSync("npm", ["pack", "--ignore-scripts", "--pack-destination", served], { cwd: projectRoot, encoding: "utf8" });
    expect(pack.status, pack.stderr).toBe(0);
    npmCache = spawnSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).stdout.trim();
    release = { server: await serveDirectory(served), tarball: pack.stdout.trim().split("\n").pop()! };
  }, 120_000);
  afterAll(async () => {
    await release?.server.close();
    await closeWorld(world);
  });

  it("has the steps the emulator knows, in this order", () => {
    expect(steps.map((step) => step.name)).toEqual([
      "Check out",
      "Install Node.js",
      "Install OCaml and dune",
      "Install opam-monorepo",
      "Compute the cache key",
      "Restore the download cache",
      "Pull from the restored cache",
      "Download, then pull from the cache",
      "Save the download cache",
      "Install system packages",
      "Build",
    ]);
    expect(steps.find((step) => step.id === "key")?.run).toContain("opam-monorepo cache-key");
  });

  it("first run: cache miss, downloads from the server, pulls offline from the filled cache, saves it", async (ctx) => {
    if (!available) ctx.skip();
    const before = world.served.server.requests;
    const result = await runJob(steps, job("run-1"));
    expect(result.failed, result.failed?.output).toBeUndefined();
    expect(result.ran).not.toContain("Pull from the restored cache");
    expect(result.ran).toContain("Download, then pull from the cache");
    expect(result.ran).toContain("Save the download cache");
    expect(result.ran).toContain("Install opam-monorepo");
    const installed = path.join(world.home, "run-1", "npm-global", "lib", "node_modules", "opam-monorepo", "package.json");
    expect(JSON.parse(readFileSync(installed, "utf8")).version).toBe(JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")).version);
    expect(release!.server.requestsFor(`/${release!.tarball}`)).toBeGreaterThanOrEqual(1);
    expect(result.state.outputs.key?.key).toMatch(/^opam-monorepo-[0-9a-f]{64}$/);
    // One request per locked archive: the download-only step fetched, the offline pull did not.
    const locked = [...new Set([...readFileSync(path.join(repository, "app.opam.locked"), "utf8").matchAll(/"http:\/\/127\.0\.0\.1:\d+(\/[^"]+)"/g)].map((m) => m[1]!))];
    expect(locked.sort()).toEqual(["/greet-1.0.tar.gz", "/numbers-1.13+dune.tbz", "/shout-2.1.tar.gz"]);
    expect(world.served.server.requests - before).toBe(locked.length);
    for (const urlPath of locked) expect(world.served.server.requestsFor(urlPath), urlPath).toBe(1);
    expect(readdirSync(path.join(result.workspace, "duniverse")).sort()).toEqual([".opam-monorepo-manifest.json", "README.md", "dune", "greet", "numbers", "shout"]);
    if (hasDune()) expect(existsSync(path.join(result.workspace, "_build", "default", "bin", "main.exe"))).toBe(true);
  });

  it("second run, fresh checkout, server stopped: the restored cache is enough and no connection is opened", async (ctx) => {
    if (!available || !existsSync(path.join(world.home, "actions-cache"))) ctx.skip();
    const port = Number(new URL(world.served.server.url).port);
    await world.served.server.close();
    const trap = await connectionTrap(port);
    try {
      const result = await runJob(steps, job("run-2"));
      expect(result.failed, result.failed?.output).toBeUndefined();
      expect(result.ran).toContain("Pull from the restored cache");
      expect(result.ran).not.toContain("Download, then pull from the cache");
      expect(result.ran).not.toContain("Save the download cache");
      expect(readFileSync(path.join(result.workspace, "duniverse", "numbers", "src", "numbers.ml"), "utf8")).toContain("let variant");
      if (hasDune()) {
        const app = spawnSync(path.join(result.workspace, "_build", "default", "bin", "main.exe"), { encoding: "utf8", env: pinnedEnv(world.home) });
        expect(app.stdout).toBe("HELLO, CI! upstream\n");
      }
      // A cache restored without one archive: the offline pull names it and still opens no connection.
      const [key] = readdirSync(path.join(world.home, "actions-cache"));
      const sha = world.served.archives["/greet-1.0.tar.gz"]!.replace(/^sha256=/, "");
      rmSync(path.join(world.home, "actions-cache", key!, "sha256", sha.slice(0, 2), sha));
      rmSync(path.join(world.home, "actions-cache", key!, "md5"), { recursive: true, force: true });
      const broken = await runJob(steps, job("run-3"));
      expect(broken.failed?.step).toBe("Pull from the restored cache");
      expect(broken.failed?.output).toMatch(/greet/);
      expect(trap.attempts()).toBe(0);
    } finally {
      await trap.close();
    }
  });
});

