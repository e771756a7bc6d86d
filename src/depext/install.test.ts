// Planned install commands per package manager, with and without sudo, as the user would read them.
import { describe, expect, it } from "vitest";
import { formatCommand } from "./command.js";
import { planDepextInstall, usesSudo } from "./install.js";
import type { PackageManagerKind } from "./manager.js";

function planned(kind: PackageManagerKind, packages: string[], isRoot: boolean): string[] {
  return planDepextInstall({ kind, family: "x" }, packages, { isRoot }).map(formatCommand);
}

describe("planDepextInstall", () => {
  it.each<[PackageManagerKind, string, string]>([
    ["apt", "env DEBIAN_FRONTEND=noninteractive apt-get install -y -- libgmp-dev pkg-config", "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -- libgmp-dev pkg-config"],
    ["apk", "apk add -- libgmp-dev pkg-config", "sudo apk add -- libgmp-dev pkg-config"],
    ["dnf", "dnf install -y -- libgmp-dev pkg-config", "sudo dnf install -y -- libgmp-dev pkg-config"],
    ["yum", "yum install -y -- libgmp-dev pkg-config", "sudo yum install -y -- libgmp-dev pkg-config"],
    ["zypper", "zypper --non-interactive install -- libgmp-dev pkg-config", "sudo zypper --non-interactive install -- libgmp-dev pkg-config"],
    ["pacman", "pacman -S --noconfirm -- libgmp-dev pkg-config", "sudo pacman -S --noconfirm -- libgmp-dev pkg-config"],
    ["pkg", "pkg install -y -- libgmp-dev pkg-config", "sudo pkg install -y -- libgmp-dev pkg-config"],
  ])("%s: as root `%s`, otherwise `%s`", (kind, asRoot, asUser) => {
    expect(planned(kind, ["libgmp-dev", "pkg-config"], true)).toEqual([asRoot]);
    expect(planned(kind, ["libgmp-dev", "pkg-config"], false)).toEqual([asUser]);
  });
  it("brew never goes through sudo and does not auto-update", () => {
    expect(planned("brew", ["gmp"], false)).toEqual(["env HOMEBREW_NO_AUTO_UPDATE=1 brew install -- gmp"]);
    expect(planned("brew", ["gmp"], true)).toEqual(["env HOMEBREW_NO_AUTO_UPDATE=1 brew install -- gmp"]);
  });
  it("as root, apt's variable is set on the command, not through `env`", () => {
    const [command] = planDepextInstall({ kind: "apt", family: "debian" }, ["x"], { isRoot: true });
    expect(command).toEqual({ program: "apt-get", args: ["install", "-y", "--", "x"], env: { DEBIAN_FRONTEND: "noninteractive" } });
  });
  it("installs epel-release on its own first (it enables the repository the others come from)", () => {
    expect(planned("dnf", ["gmp-devel", "epel-release"], false)).toEqual(["sudo dnf install -y epel-release", "sudo dnf install -y -- gmp-devel"]);
    expect(planned("yum", ["epel-release"], true)).toEqual(["yum install -y epel-release"]);
  });
  it("plans nothing for no packages, and says when sudo is involved", () => {
    expect(planDepextInstall({ kind: "apt", family: "debian" }, [], { isRoot: false })).toEqual([]);
    expect(usesSudo(planDepextInstall({ kind: "apt", family: "debian" }, ["x"], { isRoot: false }))).toBe(true);
    expect(usesSudo(planDepextInstall({ kind: "apt", family: "debian" }, ["x"], { isRoot: true }))).toBe(false);
  });
  it("quotes unusual package names for display", () => {
    expect(planned("dnf", ["pkgconfig(gmp)"], true)).toEqual(["dnf install -y -- 'pkgconfig(gmp)'"]);
  });
});
