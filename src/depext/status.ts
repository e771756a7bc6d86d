// Asks the system package manager which of the wanted packages are installed and which exist,
// through an injected CommandRunner. Queries and parsers are per manager; missingPackages is pure.
import { UserError } from "../core/errors.js";
import { formatCommand, type CommandOutput, type CommandRunner, type SystemCommand } from "./command.js";
import type { SupportedManager } from "./manager.js";

export interface PackageStatus {
  installed: ReadonlySet<string>;
  /** Packages not installed that the manager can install; undefined when it cannot tell (all assumed available). */
  available: ReadonlySet<string> | undefined;
}

export interface StatusQuery {
  command: SystemCommand;
  /** Exit codes that still carry a usable answer (e.g. dpkg-query's 1 for "some not found"). */
  okCodes: readonly number[];
  parse(stdout: string, packages: readonly string[]): Set<string>;
}

function lines(stdout: string): string[] {
  return stdout.split("\n").map((line) => line.trimEnd()).filter((line) => line !== "");
}

/** `libfoo:amd64` → `libfoo`: dpkg and apt report names without the architecture. */
function baseName(name: string): string {
  const colon = name.indexOf(":");
  return colon < 0 ? name : name.slice(0, colon);
}

/** The wanted packages that `found` names, directly or by `key` (base name without `:arch`, `@tag`). */
function wanted(found: ReadonlySet<string>, packages: readonly string[], key = baseName): Set<string> {
  return new Set(packages.filter((name) => found.has(name) || found.has(key(name))));
}

function untagged(name: string): string {
  return name.split("@")[0]!;
}

/** `dpkg-query -W -f '${Package} ${Status}\n'` lines: `bash install ok installed`. */
export function parseDpkgStatus(stdout: string, packages: readonly string[]): Set<string> {
  const installed = new Set<string>();
  for (const line of lines(stdout)) {
    const words = line.split(/\s+/);
    if (words.length >= 4 && words[words.length - 1] === "installed") installed.add(words[0]!);
  }
  return wanted(installed, packages);
}

/** `apt-cache search --names-only --full` records: `Package: x` and `Provides: a, b (= 1)`. */
export function parseAptSearch(stdout: string, packages: readonly string[]): Set<string> {
  const available = new Set<string>();
  for (const line of lines(stdout)) {
    if (line.startsWith("Package: ")) available.add(line.slice(9).trim());
    if (line.startsWith("Provides: ")) {
      for (const item of line.slice(10).split(",")) available.add(item.trim().split(" ")[0]!);
    }
  }
  return wanted(available, packages);
}

/** `apk policy` blocks: `name policy:`, `  version:`, then `    lib/apk/db/installed` or a repository. */
export function parseApkPolicy(stdout: string, packages: readonly string[], want: "installed" | "available"): Set<string> {
  const found = new Set<string>();
  let current: string | undefined;
  for (const line of lines(stdout)) {
    const header = /^(\S+) policy:$/.exec(line);
    if (header) current = header[1];
    else if (current !== undefined && line.startsWith("    ")) {
      const isInstalled = line.trim() === "lib/apk/db/installed";
      if (want === "available" || isInstalled) found.add(current);
    }
  }
  return wanted(found, packages, untagged);
}

/** A POSIX extended regex matching exactly these names (`+` and `.` escaped, as opam does). */
function exactNames(packages: readonly string[]): string {
  const names = [...new Set(packages.map(baseName))];
  return `^(${names.map((name) => name.replace(/[.+]/g, "\\$&")).join("|")})$`;
}

function apkPolicy(packages: readonly string[], want: "installed" | "available"): StatusQuery {
  const command = { program: "apk", args: ["policy", "--", ...new Set(packages.map(untagged))] };
  return { command, okCodes: [0, 1], parse: (out, pkgs) => parseApkPolicy(out, pkgs, want) };
}

/** Every line is a name: rpm's `%{NAME}` and `%{PROVIDES}`, pkg's `%n`/`%o`, brew's formulae. */
function nameLines(stdout: string, packages: readonly string[]): Set<string> {
  const found = new Set<string>();
  for (const line of lines(stdout)) {
    for (const word of line.trim().split(/\s+/)) {
      const short = word.slice(word.lastIndexOf("/") + 1);
      found.add(word).add(short).add(untagged(short));
    }
  }
  return new Set(packages.filter((name) => found.has(name)));
}

/** `pacman -T` prints the dependencies that are NOT satisfied (exit 127 when there are some). */
function pacmanInstalled(stdout: string, packages: readonly string[]): Set<string> {
  const missing = new Set(lines(stdout).map((line) => line.trim()));
  return new Set(packages.filter((name) => !missing.has(name)));
}

/** The query that tells which of `packages` are installed. */
export function installedQuery(manager: SupportedManager, packages: readonly string[]): StatusQuery {
  switch (manager.kind) {
    case "apt":
      return { command: { program: "dpkg-query", args: ["-W", "-f", "${Package} ${Status}\\n", "--", ...packages] }, okCodes: [0, 1], parse: parseDpkgStatus };
    case "apk":
      return apkPolicy(packages, "installed");
    case "dnf":
    case "yum":
    case "zypper":
      return { command: { program: "rpm", args: ["-qa", "--qf", "%{NAME}\\n[%{PROVIDES}\\n]"] }, okCodes: [0], parse: nameLines };
    case "pacman":
      return { command: { program: "pacman", args: ["-T", "--", ...packages] }, okCodes: [0, 127], parse: pacmanInstalled };
    case "brew":
      return { command: { program: "brew", args: ["list", "--formula", "--full-name"] }, okCodes: [0], parse: nameLines };
    case "pkg":
      return { command: { program: "pkg", args: ["query", "%n\n%o"] }, okCodes: [0], parse: nameLines };
  }
}

/** The query that tells which of `packages` can be installed; undefined when the manager cannot tell. */
export function availableQuery(manager: SupportedManager, packages: readonly string[]): StatusQuery | undefined {
  if (manager.kind === "apt") {
    const command = { program: "apt-cache", args: ["search", "--names-only", "--full", "--", exactNames(packages)] };
    return { command, okCodes: [0], parse: parseAptSearch };
  }
  return manager.kind === "apk" ? apkPolicy(packages, "available") : undefined;
}

function queryFailed(query: StatusQuery, output: CommandOutput): UserError {
  const shown = `\`${formatCommand(query.command)}\``;
  if (output.startError !== undefined) {
    return new UserError("DEPEXT_FAILED", `could not query the system packages: could not run ${shown}: ${output.startError}`);
  }
  const tail = output.stderr.trim().split("\n").slice(-4).join("\n");
  return new UserError("DEPEXT_FAILED", `could not query the system packages: ${shown} failed (exit code ${output.code})${tail ? `:\n${tail}` : ""}`);
}

async function ask(query: StatusQuery, packages: readonly string[], run: CommandRunner): Promise<Set<string>> {
  const output = await run(query.command, "capture");
  if (output.startError !== undefined || !query.okCodes.includes(output.code)) throw queryFailed(query, output);
  return query.parse(output.stdout, packages);
}

/**
 * Which of `packages` are installed, and which of the others are available. Availability is only
 * asked for packages that are not installed (often none: then the slow apt-cache is not run).
 * DEPEXT_FAILED when a query fails.
 */
export async function packageStatus(manager: SupportedManager, packages: readonly string[], run: CommandRunner): Promise<PackageStatus> {
  if (packages.length === 0) return { installed: new Set(), available: new Set() };
  const installed = await ask(installedQuery(manager, packages), packages, run);
  const rest = packages.filter((name) => !installed.has(name));
  if (rest.length === 0) return { installed, available: new Set() };
  const query = availableQuery(manager, rest);
  return { installed, available: query === undefined ? undefined : await ask(query, rest, run) };
}

export interface MissingPackages {
  /** Not installed and available (or assumed available): what to install, sorted. */
  toInstall: string[];
  alreadyInstalled: string[];
  /** Not installed and unknown to the package manager: dropped, as opam does. */
  notFound: string[];
}

/** Splits the wanted packages by their status. Pure. */
export function missingPackages(packages: readonly string[], status: PackageStatus): MissingPackages {
  const result: MissingPackages = { toInstall: [], alreadyInstalled: [], notFound: [] };
  for (const name of [...new Set(packages)].sort()) {
    if (status.installed.has(name)) result.alreadyInstalled.push(name);
    else if (status.available === undefined || status.available.has(name)) result.toInstall.push(name);
    else result.notFound.push(name);
  }
  return result;
}
