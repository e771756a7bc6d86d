// `depext` and `list` through the real CLI. depext runs against stand-in Debian tools (dpkg-query,
// apt-cache, apt-get, sudo first on PATH): nothing is really installed. The lock file's depexts
// are filtered with this host's variables (os-family = debian), so those tests need a Debian host.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../helpers/cli.js";
import { copyFixtures, removeTempDirs, run, show, tempDir, writeStandins, type FixtureCopy, type Standins } from "./plugin-world.js";

const BASE_REPO = path.join(projectRoot, "fixtures", "repos", "base");

function debianHost(): boolean {
  if (!existsSync("/etc/os-release")) return false;
  const text = readFileSync("/etc/os-release", "utf8");
  return /^ID=("?)debian\1$/m.test(text) || /^ID_LIKE=.*\bdebian\b/m.test(text);
}
const onDebian = debianHost();
if (!onDebian) console.warn("skipping depext tests that filter on os-family = debian: this host is not Debian-like (/etc/os-release)");

const pkg = (name: string, version: string, depexts: string, depends = '"dune"') =>
  [
    'opam-version: "2.0"',
    `synopsis: "${name}, from the repository"`,
    `dev-repo: "git+https://example.org/${name}.git"`,
    `depends: [${depends}]`,
    `depexts: [\n${depexts}\n]`,
    'build: ["dune" "build" "-p" name]',
    `url { src: "https://example.org/${name}-${version}.tbz" checksum: "sha256=${"1".repeat(64)}" }`,
    "",
  ].join("\n");

/** A project whose lock file has depexts for several OS families. */
async function depextWorld(): Promise<{ dir: string; standins: Standins; lockfile: string }> {
  const dir = await tempDir(
    {
      "sys/repo": 'opam-version: "2.0"\n',
      "sys/packages/numbers/numbers.1.0+dune/opam": pkg(
        "numbers",
        "1.0+dune",
        '  ["libgmp-dev"] {os-family = "debian"}\n  ["gmp-devel"] {os-family = "fedora"}\n  ["gmp"] {os = "macos" & os-distribution = "homebrew"}',
      ),
      "sys/packages/tls/tls.1.0/opam": pkg(
        "tls",
        "1.0",
        '  ["libssl-dev" "pkg-config"] {os-family = "debian"}\n  ["m4"]\n  ["libnotthere"] {os-family = "debian"}',
        '"dune" "numbers"',
      ),
      "app.opam": [
        'opam-version: "2.0"',
        'depends: ["ocaml" "dune" "tls" {?monorepo}]',
        `x-opam-monorepo-opam-repositories: ["file://$OPAM_MONOREPO_CWD/sys" "file://${BASE_REPO}"]`,
        "",
      ].join("\n"),
    },
    "om-depext-",
  );
  const standins = writeStandins(dir);
  const lock = await run("opam-monorepo", ["lock", "--ocaml-version", "4.13.1"], { cwd: dir, home: dir, standins, env: { OPAMVAR_monorepo: "opam-monorepo" } });
  expect(lock.code, show(lock)).toBe(0);
  return { dir, standins, lockfile: path.join(dir, "app.opam.locked") };
}

afterAll(removeTempDirs);

const INSTALLED = { FAKE_INSTALLED: "pkg-config", FAKE_AVAILABLE: "libgmp-dev libssl-dev m4" };
const viaSudo = process.getuid?.() !== 0;
const installLine = (packages: string) =>
  viaSudo
    ? [`sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -- ${packages}`, `apt-get install -y -- ${packages} (DEBIAN_FRONTEND=noninteractive)`]
    : [`apt-get install -y -- ${packages} (DEBIAN_FRONTEND=noninteractive)`];

describe.runIf(onDebian)("depext on a Debian host", () => {
  let world: Awaited<ReturnType<typeof depextWorld>>;
  beforeAll(async () => {
    world = await depextWorld();
  }, 60_000);
  const depext = (args: string[], env: NodeJS.ProcessEnv = INSTALLED, input?: string | "open") => {
    writeFileSync(world.standins.log, "");
    return run("opam-monorepo", ["depext", ...args], { cwd: world.dir, home: world.dir, standins: world.standins, env, input });
  };

  it("--dry-run prints the debian packages not installed, checked with dpkg-query and apt-cache", async () => {
    const result = await depext(["--dry-run"]);
    expect(result, show(result)).toMatchObject({ code: 0, stdout: "libgmp-dev libssl-dev m4\n" });
    expect(result.stderr).toBe("opam-monorepo: [WARNING] not available from apt, skipped: libnotthere\n");
    const calls = world.standins.calls();
    expect(calls[0]).toBe("dpkg-query -W -f ${Package} ${Status}\\n -- libgmp-dev libnotthere libssl-dev m4 pkg-config");
    expect(calls[1]).toMatch(/^apt-cache search --names-only --full -- \^\(libgmp-dev\|libnotthere\|libssl-dev\|m4\)\$$/);
    expect(calls).toHaveLength(2);
  });

  it("does nothing, silently, when everything is installed", async () => {
    const result = await depext(["-y"], { FAKE_INSTALLED: "libgmp-dev libssl-dev m4 pkg-config libnotthere" });
    expect(result, show(result)).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toBe(`==> Using lockfile ${world.lockfile}\n`);
    expect(world.standins.calls().filter((line) => line.startsWith("apt-get"))).toEqual([]);
    const dry = await depext(["--dry-run"], { FAKE_INSTALLED: "libgmp-dev libssl-dev m4 pkg-config libnotthere" });
    expect(dry).toMatchObject({ code: 0, stdout: "", stderr: "" });
  });

  it("-y installs them with apt-get through sudo (directly as root), non-interactively", async () => {
    const result = await depext(["-y"]);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).not.toMatch(/\?\?\?/);
    expect(world.standins.calls().slice(2)).toEqual(installLine("libgmp-dev libssl-dev m4"));
  });

  it("without a terminal the question takes its default (yes), says so, and never waits for input", async () => {
    const result = await depext([], INSTALLED, "open");
    expect(result.code, show(result)).toBe(0);
    const through = viaSudo ? "sudo" : "apt-get";
    expect(result.stdout).toContain(`??? The following packages will be installed through ${through}: libgmp-dev libssl-dev m4.\nDo you want to continue? [Y/n] \n`);
    expect(result.stdout).toContain("(no terminal to answer on: taking the default answer, yes; pass -y to answer yes)");
    expect(world.standins.calls().slice(2)).toEqual(installLine("libgmp-dev libssl-dev m4"));
  });

  it("fails with exit code 1 and apt-get's message when the install fails", async () => {
    const result = await depext(["--yes"], { ...INSTALLED, FAKE_APT_FAIL: "m4" });
    expect(result.code, show(result)).toBe(1);
    expect(result.stderr).toMatch(/\[ERROR\] installing system packages failed: `.*apt-get install -y -- libgmp-dev libssl-dev m4` exited with code 100/);
  });

  it("fails clearly when the package manager cannot be queried", async () => {
    const broken = path.join(world.dir, "broken-bin");
    mkdirSync(broken, { recursive: true });
    writeFileSync(path.join(broken, "dpkg-query"), "#!/bin/sh\necho 'dpkg-query: database is locked' >&2\nexit 2\n", { mode: 0o755 });
    const failed = await depext(["--dry-run"], { ...INSTALLED, PATH: world.standins.path(broken) });
    expect(failed.code, show(failed)).toBe(1);
    expect(failed.stderr).toMatch(/\[ERROR\] could not query the system packages: `dpkg-query .*` failed \(exit code 2\):\ndpkg-query: database is locked/);
  });
});

describe("list", () => {
  let copy: FixtureCopy;
  let standins: Standins;
  beforeAll(async () => {
    copy = await copyFixtures("om-list-");
    standins = writeStandins(copy.dir);
    const lock = await run("opam-monorepo", ["lock", "--ocaml-version", "4.13.1"], { cwd: copy.example, home: copy.dir, standins });
    expect(lock.code, show(lock)).toBe(0);
  }, 60_000);
  const list = (args: string[], cwd = copy.example) => run("opam-monorepo", ["list", ...args], { cwd, home: copy.dir, standins });

  it("prints a header and one aligned line per vendored package", async () => {
    const result = await list([]);
    expect(result, show(result)).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toBe(
      [
        `==> Using lockfile ${copy.example}/hello.opam.locked`,
        `==> The vendor directory is ${copy.example}/duniverse/`,
        "greet       1.0 --",
        "shout       2.1 --",
        "shout-utils 2.1 --",
        "",
      ].join("\n"),
    );
  });

  it("shows the synopsis of pulled sources", async () => {
    const dir = path.join(copy.example, "duniverse", "shout");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "shout.opam"), 'opam-version: "2.0"\nsynopsis: "Says hello, loudly"\n');
    const result = await list([]);
    expect(result.stdout).toContain("shout       2.1 Says hello, loudly\n");
  });

  it("-s prints names only, without header", async () => {
    const result = await list(["-s"]);
    expect(result).toMatchObject({ code: 0, stdout: "greet\nshout\nshout-utils\n", stderr: "" });
    expect((await list(["--short"])).stdout).toBe("greet\nshout\nshout-utils\n");
  });

  it("--json gives the packages with their duniverse directory and source", async () => {
    const result = await list(["--json"]);
    const json = JSON.parse(result.stdout) as { ok: boolean; lockfile: string; packages: { name: string; version: string; dir: string; url: string; pinned: boolean }[] };
    expect(json.ok).toBe(true);
    expect(json.lockfile).toBe(path.join(copy.example, "hello.opam.locked"));
    expect(json.packages.map((p) => [p.name, p.version, p.dir, p.url, p.pinned])).toEqual([
      ["greet", "1.0", "greet", "https://example.org/greet/releases/greet-1.0.tbz", false],
      ["shout", "2.1", "shout", "https://example.org/shout/archive/v2.1.tar.gz", false],
      ["shout-utils", "2.1", "shout", "https://example.org/shout/archive/v2.1.tar.gz", false],
    ]);
  });

  it("names the vendor directory under --root, not the current directory", async () => {
    const result = await list(["-r", "fixtures/example", "-l", "fixtures/example/hello.opam.locked"], copy.dir);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toContain(`==> The vendor directory is ${copy.example}/duniverse/\n`);
    const bare = await list([], copy.dir);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/No lockfile: try running `opam monorepo lock` first/);
  });

  it("shows +dune versions as pinned at their URL", async () => {
    const world = await depextWorld();
    const result = await run("opam-monorepo", ["list", "-l", "app.opam.locked"], { cwd: world.dir, home: world.dir, standins: world.standins });
    expect(result.stdout).toContain("numbers 1.0+dune pinned at https://example.org/numbers-1.0+dune.tbz\n");
    expect(result.stdout).toContain("tls     1.0      --\n");
  });
});
