// `depext`: select the lock file's system packages for this host, drop those already installed or
// unknown, then print them (--dry-run) or install them after confirmation. Effects are injected
// (runner, confirm, reporter); the result is data for the CLI to render.
import { UserError } from "../core/errors.js";
import type { Reporter } from "../core/reporter.js";
import type { LockedDepext } from "../lockfile/model.js";
import type { Env } from "../opam/env.js";
import { formatCommand, type CommandRunner, type SystemCommand } from "./command.js";
import { planDepextInstall, usesSudo } from "./install.js";
import { detectPackageManager, type SupportedManager, type UnsupportedManager } from "./manager.js";
import { selectDepexts, type DepextFilterEvaluator } from "./select.js";
import { checkSystemPackageNames } from "./names.js";
import { missingPackages, packageStatus } from "./status.js";

export interface DepextRequest {
  depexts: readonly LockedDepext[];
  evaluate: DepextFilterEvaluator;
  /** The host's global opam variables (os-family, os-distribution, os-version…). */
  vars: Env;
  dryRun: boolean;
  isRoot: boolean;
  run: CommandRunner;
  /** Asked before installing; the caller answers yes itself for -y (see prompt.ts `confirm`). */
  confirm: (question: string) => Promise<boolean>;
  reporter: Reporter;
  /** The lock file, for the error about a name that is not a package name. */
  lockfile?: string;
}

export type DepextOutcome =
  /** Nothing selected, or everything already installed / unknown. */
  | { kind: "nothing-to-do" }
  /** `checked` is false when the package manager could not be asked (then every selected package is listed). */
  | { kind: "dry-run"; packages: string[]; checked: boolean }
  | { kind: "declined"; packages: string[]; commands: SystemCommand[] }
  | { kind: "installed"; packages: string[]; commands: SystemCommand[] };

/** What --dry-run prints: the package names, space-separated, then a newline. */
export function dryRunText(packages: readonly string[]): string {
  return `${packages.join(" ")}\n`;
}

export function installQuestion(packages: readonly string[], commands: readonly SystemCommand[]): string {
  const via = usesSudo(commands) ? "sudo" : (commands[0]?.program ?? "the package manager");
  return `The following packages will be installed through ${via}: ${packages.join(" ")}.\nDo you want to continue?`;
}

function unsupportedHost(manager: UnsupportedManager, selected: readonly string[], request: DepextRequest): DepextOutcome {
  if (request.dryRun) {
    request.reporter.warn(`cannot check which system packages are installed: ${manager.reason}`);
    return { kind: "dry-run", packages: [...selected], checked: false };
  }
  throw new UserError("DEPEXT_FAILED", `cannot install system packages: ${manager.reason}`, {
    hint: `install these with your system's package manager: ${selected.join(" ")}`,
  });
}

async function install(commands: readonly SystemCommand[], run: CommandRunner, reporter: Reporter): Promise<void> {
  for (const command of commands) {
    reporter.info(`running ${formatCommand(command)}`);
    const output = await run(command, "interactive");
    if (output.startError !== undefined) {
      throw new UserError("DEPEXT_FAILED", `could not run \`${formatCommand(command)}\`: ${output.startError}`, {
        hint: command.program === "sudo" ? "install sudo, or run this command as root" : undefined,
      });
    }
    if (output.code !== 0) {
      const detail = output.stderr.trim() === "" ? "" : `: ${output.stderr.trim()}`;
      throw new UserError("DEPEXT_FAILED", `installing system packages failed: \`${formatCommand(command)}\` exited with code ${output.code}${detail}`);
    }
  }
}

async function missingOn(manager: SupportedManager, selected: readonly string[], request: DepextRequest): Promise<string[]> {
  const split = missingPackages(selected, await packageStatus(manager, selected, request.run));
  if (split.alreadyInstalled.length > 0) request.reporter.info(`already installed: ${split.alreadyInstalled.join(" ")}`);
  if (split.notFound.length > 0) {
    request.reporter.warn(`not available from ${manager.kind}, skipped: ${split.notFound.join(" ")}`);
  }
  return split.toInstall;
}

export async function runDepext(request: DepextRequest): Promise<DepextOutcome> {
  const selected = selectDepexts(request.depexts, request.evaluate);
  if (selected.length === 0) return { kind: "nothing-to-do" };
  checkSystemPackageNames(selected, request.lockfile ?? "the lock file");
  const manager = detectPackageManager(request.vars);
  if (manager.kind === "unsupported") return unsupportedHost(manager, selected, request);
  const packages = await missingOn(manager, selected, request);
  if (packages.length === 0) return { kind: "nothing-to-do" };
  if (request.dryRun) return { kind: "dry-run", packages, checked: true };
  const commands = planDepextInstall(manager, packages, { isRoot: request.isRoot });
  if (!(await request.confirm(installQuestion(packages, commands)))) return { kind: "declined", packages, commands };
  await install(commands, request.run, request.reporter);
  return { kind: "installed", packages, commands };
}
