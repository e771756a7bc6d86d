// Which system package manager serves this host, decided from opam's OS variables the way opam's
// OpamSysInteract.family does (os-family first, os-distribution for BSDs and RHEL-likes). Pure.
import type { Env } from "../opam/env.js";

export type PackageManagerKind = "apt" | "apk" | "dnf" | "yum" | "zypper" | "pacman" | "brew" | "pkg";

export interface SupportedManager {
  kind: PackageManagerKind;
  /** The os-family (or distribution) it was chosen for. */
  family: string;
}

export interface UnsupportedManager {
  kind: "unsupported";
  family: string | undefined;
  /** Why, for the user: names the family or the missing tool. */
  reason: string;
}

export type PackageManager = SupportedManager | UnsupportedManager;

function text(vars: Env, name: string): string | undefined {
  const value = vars(name);
  return typeof value === "string" && value !== "" ? value.toLowerCase() : undefined;
}

function majorVersion(version: string | undefined): number | undefined {
  const major = Number.parseInt(version ?? "", 10);
  return Number.isNaN(major) ? undefined : major;
}

/** dnf replaced yum in Fedora 22, RHEL/CentOS/Oracle 8 and Amazon Linux 2022; older releases only have yum. */
function rpmFrontEnd(distribution: string | undefined, version: string | undefined): "dnf" | "yum" {
  const major = majorVersion(version);
  if (major === undefined) return "dnf";
  switch (distribution) {
    case "centos":
    case "rhel":
    case "ol":
    case "oraclelinux":
      return major < 8 ? "yum" : "dnf";
    case "amzn":
      return major < 2022 ? "yum" : "dnf";
    case "fedora":
      return major < 22 ? "yum" : "dnf";
    default:
      return "dnf";
  }
}

function unsupported(family: string | undefined, reason: string): UnsupportedManager {
  return { kind: "unsupported", family, reason };
}

function forFamily(family: string, vars: Env): PackageManager {
  const distribution = text(vars, "os-distribution");
  switch (family) {
    case "debian":
    case "ubuntu":
      return { kind: "apt", family };
    case "alpine":
    case "wolfi":
      return { kind: "apk", family };
    case "fedora":
    case "rhel":
    case "centos":
    case "amzn":
    case "ol":
    case "oraclelinux":
    case "mageia":
      return { kind: rpmFrontEnd(distribution, text(vars, "os-version")), family };
    case "suse":
    case "opensuse":
      return { kind: "zypper", family };
    case "arch":
    case "archlinux":
      return { kind: "pacman", family };
    case "homebrew":
      return { kind: "brew", family };
    case "bsd":
      if (distribution === "freebsd" || distribution === "dragonfly") return { kind: "pkg", family: distribution };
      return unsupported(family, `system packages on ${distribution ?? "this BSD"} are not supported (only FreeBSD's pkg)`);
    case "macos":
      return unsupported(family, "on macOS, system packages need Homebrew (`brew` on PATH)");
    default:
      return unsupported(family, `system packages on OS family \`${family}\` are not supported`);
  }
}

/** The package manager for the host described by `vars` (os-family, os-distribution, os-version). */
export function detectPackageManager(vars: Env): PackageManager {
  const family = text(vars, "os-family") ?? text(vars, "os-distribution");
  if (family === undefined) return unsupported(undefined, "the OS family could not be detected (os-family is undefined)");
  return forFamily(family, vars);
}

/** brew refuses to run as root; every other manager installs system-wide and needs root. */
export function needsRoot(manager: SupportedManager): boolean {
  return manager.kind !== "brew";
}
