// Package manager detection per distribution: from opam variables directly, and end to end from
// real /etc/os-release texts through opam/env.ts's variable polling.
import { describe, expect, it } from "vitest";
import { globalEnv, platformVariables } from "../opam/env.js";
import { detectPackageManager, needsRoot } from "./manager.js";

function detect(variables: Record<string, string>) {
  return detectPackageManager(globalEnv(variables));
}

describe("detectPackageManager from opam variables", () => {
  it.each([
    [{ "os-family": "debian", "os-distribution": "debian" }, "apt"],
    [{ "os-family": "debian", "os-distribution": "ubuntu" }, "apt"],
    [{ "os-family": "ubuntu", "os-distribution": "linuxmint" }, "apt"],
    [{ "os-family": "alpine", "os-distribution": "alpine" }, "apk"],
    [{ "os-family": "fedora", "os-distribution": "fedora", "os-version": "40" }, "dnf"],
    [{ "os-family": "rhel", "os-distribution": "centos", "os-version": "7" }, "yum"],
    [{ "os-family": "rhel", "os-distribution": "centos", "os-version": "8" }, "dnf"],
    [{ "os-family": "rhel", "os-distribution": "rocky", "os-version": "9.4" }, "dnf"],
    [{ "os-family": "fedora", "os-distribution": "ol", "os-version": "7.9" }, "yum"],
    [{ "os-family": "centos", "os-distribution": "amzn", "os-version": "2" }, "yum"],
    [{ "os-family": "centos", "os-distribution": "amzn", "os-version": "2023" }, "dnf"],
    [{ "os-family": "suse", "os-distribution": "opensuse-leap" }, "zypper"],
    [{ "os-family": "arch", "os-distribution": "arch" }, "pacman"],
    [{ "os-family": "archlinux", "os-distribution": "archlinux" }, "pacman"],
    [{ "os-family": "homebrew", "os-distribution": "homebrew", os: "macos" }, "brew"],
    [{ "os-family": "bsd", "os-distribution": "freebsd", os: "freebsd" }, "pkg"],
    [{ "os-distribution": "debian" }, "apt"],
  ])("%j -> %s", (variables, kind) => {
    expect(detect(variables).kind).toBe(kind);
  });
  it("says why a host is not supported", () => {
    const openbsd = detect({ "os-family": "bsd", "os-distribution": "openbsd" });
    expect(openbsd).toMatchObject({ kind: "unsupported", family: "bsd" });
    expect(detect({ "os-family": "macos", "os-distribution": "macos" })).toMatchObject({ kind: "unsupported", reason: expect.stringContaining("Homebrew") });
    expect(detect({ "os-family": "gentoo" })).toMatchObject({ kind: "unsupported", reason: expect.stringContaining("`gentoo`") });
    expect(detect({})).toMatchObject({ kind: "unsupported", family: undefined, reason: expect.stringContaining("os-family") });
  });
  it("needs root for everything but Homebrew", () => {
    expect(needsRoot({ kind: "apt", family: "debian" })).toBe(true);
    expect(needsRoot({ kind: "brew", family: "homebrew" })).toBe(false);
  });
});

const OS_RELEASE: [string, string, string][] = [
  ["Debian 12", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n', "apt"],
  ["Ubuntu 24.04", 'NAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n', "apt"],
  ["Alpine 3.20", 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\n', "apk"],
  ["Fedora 40", 'NAME="Fedora Linux"\nVERSION_ID=40\nID=fedora\n', "dnf"],
  ["CentOS 7", 'NAME="CentOS Linux"\nVERSION_ID="7"\nID="centos"\nID_LIKE="rhel fedora"\n', "yum"],
  ["Rocky 9", 'NAME="Rocky Linux"\nVERSION_ID="9.4"\nID="rocky"\nID_LIKE="rhel centos fedora"\n', "dnf"],
  ["Arch", 'NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n', "pacman"],
  ["Manjaro", 'NAME="Manjaro Linux"\nID=manjaro\nID_LIKE=arch\n', "pacman"],
  ["openSUSE Tumbleweed", 'NAME="openSUSE Tumbleweed"\nID="opensuse-tumbleweed"\nID_LIKE="opensuse suse"\n', "zypper"],
];

describe("detectPackageManager from a real os-release, through opam's variable polling", () => {
  it.each(OS_RELEASE)("%s", (_name, osRelease, kind) => {
    const variables = platformVariables({ system: "Linux", machine: "x86_64", osRelease });
    expect(detectPackageManager(globalEnv(variables)).kind).toBe(kind);
  });
  it("macOS with and without Homebrew, FreeBSD", () => {
    expect(detectPackageManager(globalEnv(platformVariables({ system: "Darwin", machine: "arm64", hasBrew: true }))).kind).toBe("brew");
    expect(detectPackageManager(globalEnv(platformVariables({ system: "Darwin", machine: "arm64" }))).kind).toBe("unsupported");
    expect(detectPackageManager(globalEnv(platformVariables({ system: "FreeBSD", machine: "amd64", osVersion: "1400097" }))).kind).toBe("pkg");
  });
});
