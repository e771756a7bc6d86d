// The commands that install system packages, per package manager, non-interactive (the user has
// already agreed, or passed -y), through `sudo` when not root. Pure: returns SystemCommands.
import type { SystemCommand } from "./command.js";
import { needsRoot, type SupportedManager } from "./manager.js";

const EPEL = "epel-release";

function installCommands(manager: SupportedManager, packages: readonly string[]): SystemCommand[] {
  const names = [...packages];
  switch (manager.kind) {
    case "apt":
      return [{ program: "apt-get", args: ["install", "-y", "--", ...names], env: { DEBIAN_FRONTEND: "noninteractive" } }];
    case "apk":
      return [{ program: "apk", args: ["add", "--", ...names] }];
    case "dnf":
    case "yum": {
      // epel-release enables the repository other packages come from: install it first (as opam does).
      const rest = names.filter((name) => name !== EPEL);
      const first: SystemCommand[] = rest.length < names.length ? [{ program: manager.kind, args: ["install", "-y", EPEL] }] : [];
      return rest.length === 0 ? first : [...first, { program: manager.kind, args: ["install", "-y", "--", ...rest] }];
    }
    case "zypper":
      return [{ program: "zypper", args: ["--non-interactive", "install", "--", ...names] }];
    case "pacman":
      return [{ program: "pacman", args: ["-S", "--noconfirm", "--", ...names] }];
    case "brew":
      return [{ program: "brew", args: ["install", "--", ...names], env: { HOMEBREW_NO_AUTO_UPDATE: "1" } }];
    case "pkg":
      return [{ program: "pkg", args: ["install", "-y", "--", ...names] }];
  }
}

/** `sudo [env VAR=value…] program args`: sudo resets the environment, so variables go through env. */
function throughSudo(command: SystemCommand): SystemCommand {
  const env = Object.entries(command.env ?? {}).map(([name, value]) => `${name}=${value}`);
  const args = env.length > 0 ? ["env", ...env, command.program, ...command.args] : [command.program, ...command.args];
  return { program: "sudo", args };
}

export interface InstallOptions {
  /** Running as root (uid 0): no sudo. */
  isRoot: boolean;
}

/** The commands that install `packages` with `manager`; [] when there is nothing to install. */
export function planDepextInstall(manager: SupportedManager, packages: readonly string[], options: InstallOptions): SystemCommand[] {
  if (packages.length === 0) return [];
  const commands = installCommands(manager, packages);
  return options.isRoot || !needsRoot(manager) ? commands : commands.map(throughSudo);
}

/** True when the planned commands go through sudo (the prompt says so). */
export function usesSudo(commands: readonly SystemCommand[]): boolean {
  return commands.some((command) => command.program === "sudo");
}
