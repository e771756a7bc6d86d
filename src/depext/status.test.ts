// Status queries per package manager: the exact commands planned, parsing of their real output
// formats, failures, the pure missing/installed/not-found split, and one check against real dpkg.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { UserError } from "../core/errors.js";
import { systemRunner, type CommandOutput, type CommandRunner, type SystemCommand } from "./command.js";
import type { SupportedManager } from "./manager.js";
import { missingPackages, packageStatus, parseApkPolicy, parseAptSearch, parseDpkgStatus } from "./status.js";

/** Answers each program from a table and records what was run. */
function fakeRunner(answers: Record<string, Partial<CommandOutput>>): { run: CommandRunner; calls: SystemCommand[] } {
  const calls: SystemCommand[] = [];
  const run: CommandRunner = async (command, mode) => {
    expect(mode).toBe("capture");
    calls.push(command);
    const answer = answers[command.program];
    if (answer === undefined) return { code: -1, stdout: "", stderr: "", startError: `${command.program}: command not found` };
    return { code: 0, stdout: "", stderr: "", ...answer };
  };
  return { run, calls };
}

const APT: SupportedManager = { kind: "apt", family: "debian" };

describe("apt (dpkg-query + apt-cache)", () => {
  const dpkg = "bash install ok installed\nlibgmp-dev deinstall ok config-files\nlibc6 install ok installed\n";
  const search = [
    "Package: libgmp-dev", "Version: 2:6.2.1+dfsg1-1.1", "Provides: libgmp10-dev", "",
    "Package: pkgconf", "Provides: pkg-config (= 1.8.1-1), pkgconf-bin", "",
    "Package: libc6", "",
  ].join("\n");
  it("plans dpkg-query for the installed state and an anchored, escaped apt-cache search", async () => {
    const { run, calls } = fakeRunner({ "dpkg-query": { code: 1, stdout: dpkg }, "apt-cache": { stdout: search } });
    const packages = ["bash", "libc6:amd64", "libgmp-dev", "libstdc++-dev", "pkg-config"];
    const status = await packageStatus(APT, packages, run);
    expect(calls).toEqual([
      { program: "dpkg-query", args: ["-W", "-f", "${Package} ${Status}\\n", "--", ...packages] },
      { program: "apt-cache", args: ["search", "--names-only", "--full", "--", "^(libgmp-dev|libstdc\\+\\+-dev|pkg-config)$"] },
    ]);
    expect([...status.installed].sort()).toEqual(["bash", "libc6:amd64"]);
    expect([...status.available!].sort()).toEqual(["libgmp-dev", "pkg-config"]);
    expect(missingPackages(packages, status)).toEqual({
      toInstall: ["libgmp-dev", "pkg-config"],
      alreadyInstalled: ["bash", "libc6:amd64"],
      notFound: ["libstdc++-dev"],
    });
  });
  it("does not ask apt-cache when everything is installed", async () => {
    const { run, calls } = fakeRunner({ "dpkg-query": { stdout: dpkg } });
    expect(missingPackages(["bash"], await packageStatus(APT, ["bash"], run))).toEqual({ toInstall: [], alreadyInstalled: ["bash"], notFound: [] });
    expect(calls.map((call) => call.program)).toEqual(["dpkg-query"]);
  });
  it("parses only fully installed packages from dpkg's status", () => {
    const out = "a install ok installed\nb install ok unpacked\nc deinstall ok config-files\nd hold ok installed\n";
    expect([...parseDpkgStatus(out, ["a", "b", "c", "d", "e"])].sort()).toEqual(["a", "d"]);
  });
  it("reads package names and virtual names from apt-cache records", () => {
    expect([...parseAptSearch("Package: x\nProvides: y (= 1), z\n", ["x", "y", "z", "w"])].sort()).toEqual(["x", "y", "z"]);
  });
  it("turns a failed query into DEPEXT_FAILED quoting the command and its stderr", async () => {
    const { run } = fakeRunner({ "dpkg-query": { stdout: "" }, "apt-cache": { code: 100, stderr: "E: The package cache file is corrupted" } });
    const error = await packageStatus(APT, ["x"], run).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe("DEPEXT_FAILED");
    expect((error as UserError).message).toContain("apt-cache search --names-only --full -- '^(x)$'");
    expect((error as UserError).message).toContain("corrupted");
  });
  it("asks nothing for an empty list", async () => {
    const { run, calls } = fakeRunner({});
    expect(await packageStatus(APT, [], run)).toEqual({ installed: new Set(), available: new Set() });
    expect(calls).toEqual([]);
  });
});

describe("other package managers", () => {
  it("apk: one `apk policy` answers both questions", async () => {
    const policy = [
      "gmp-dev policy:", "  6.3.0-r1:", "    lib/apk/db/installed", "    https://dl-cdn.alpinelinux.org/alpine/v3.20/main",
      "pkgconf policy:", "  2.2.0-r0:", "    https://dl-cdn.alpinelinux.org/alpine/v3.20/main",
      "nothere policy:",
    ].join("\n");
    const { run, calls } = fakeRunner({ apk: { stdout: policy } });
    const status = await packageStatus({ kind: "apk", family: "alpine" }, ["gmp-dev", "pkgconf", "nothere"], run);
    expect(calls).toEqual([
      { program: "apk", args: ["policy", "--", "gmp-dev", "pkgconf", "nothere"] },
      { program: "apk", args: ["policy", "--", "pkgconf", "nothere"] },
    ]);
    expect(missingPackages(["gmp-dev", "pkgconf", "nothere"], status)).toEqual({ toInstall: ["pkgconf"], alreadyInstalled: ["gmp-dev"], notFound: ["nothere"] });
    expect([...parseApkPolicy(policy, ["pkgconf@edge"], "available")]).toEqual(["pkgconf@edge"]);
  });
  it("dnf/yum/zypper: rpm names and provides; availability is assumed", async () => {
    const { run, calls } = fakeRunner({ rpm: { stdout: "bash\n/bin/sh\nbash(x86-64)\ngmp-devel\npkgconfig(gmp)\n" } });
    for (const kind of ["dnf", "yum", "zypper"] as const) {
      const status = await packageStatus({ kind, family: "fedora" }, ["gmp-devel", "pkgconf-pkg-config", "pkgconfig(gmp)"], run);
      expect(status.available).toBeUndefined();
      expect(missingPackages(["gmp-devel", "pkgconf-pkg-config", "pkgconfig(gmp)"], status)).toEqual({
        toInstall: ["pkgconf-pkg-config"],
        alreadyInstalled: ["gmp-devel", "pkgconfig(gmp)"],
        notFound: [],
      });
    }
    expect(calls[0]).toEqual({ program: "rpm", args: ["-qa", "--qf", "%{NAME}\\n[%{PROVIDES}\\n]"] });
  });
  it("pacman: `pacman -T` lists what is missing (exit 127)", async () => {
    const { run, calls } = fakeRunner({ pacman: { code: 127, stdout: "gmp\n" } });
    const status = await packageStatus({ kind: "pacman", family: "arch" }, ["gmp", "pkgconf"], run);
    expect(calls[0]).toEqual({ program: "pacman", args: ["-T", "--", "gmp", "pkgconf"] });
    expect([...status.installed]).toEqual(["pkgconf"]);
  });
  it("brew: formulae by full name, short name or without @version", async () => {
    const { run, calls } = fakeRunner({ brew: { stdout: "openssl@3\nhomebrew/core/gmp\nkoekeishiya/formulae/skhd\n" } });
    const status = await packageStatus({ kind: "brew", family: "homebrew" }, ["openssl", "gmp", "skhd", "libev"], run);
    expect(calls[0]).toEqual({ program: "brew", args: ["list", "--formula", "--full-name"] });
    expect([...status.installed].sort()).toEqual(["gmp", "openssl", "skhd"]);
  });
  it("pkg: installed names and origins", async () => {
    const { run, calls } = fakeRunner({ pkg: { stdout: "gmp\nmath/gmp\npkgconf\ndevel/pkgconf\n" } });
    const status = await packageStatus({ kind: "pkg", family: "freebsd" }, ["gmp", "devel/pkgconf", "libev"], run);
    expect(calls[0]).toEqual({ program: "pkg", args: ["query", "%n\n%o"] });
    expect(missingPackages(["gmp", "devel/pkgconf", "libev"], status).toInstall).toEqual(["libev"]);
  });
  it("a package manager that is not installed gives DEPEXT_FAILED", async () => {
    const { run } = fakeRunner({});
    await expect(packageStatus({ kind: "pacman", family: "arch" }, ["gmp"], run)).rejects.toThrow(/command not found/);
  });
});

const haveDpkg = spawnSync("dpkg-query", ["--version"]).status === 0;
if (!haveDpkg) console.warn("skipping the real dpkg status test: dpkg-query is not on PATH (not a Debian-family host)");

describe.skipIf(!haveDpkg)("against this machine's dpkg and apt", () => {
  it("finds bash installed and an invented package nowhere", async () => {
    const absent = "om-no-such-package-7f3a";
    const status = await packageStatus(APT, ["bash", absent], systemRunner);
    expect(status.installed.has("bash")).toBe(true);
    expect(status.installed.has(absent)).toBe(false);
    expect(missingPackages(["bash", absent], status)).toEqual({ toInstall: [], alreadyInstalled: ["bash"], notFound: [absent] });
  });
});
