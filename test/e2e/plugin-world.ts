// Test support for the "as the mirage plugin and in CI" e2e tests: a bin directory with stand-ins
// for `opam` (plugin dispatch), the Debian package tools and `sudo`, a copy of the fixtures, and a
// runner for any command with that directory first on PATH. Never imported by src/.
import { spawn } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cliPath, pinnedEnv, projectRoot, type CliResult } from "../helpers/cli.js";
import { removeTestdir, testdir } from "../helpers/testdir.js";

export const FIXTURES = path.join(projectRoot, "fixtures");
export const MONOREPO_BIN = path.join(projectRoot, "bin", "monorepo");

/**
 * opam's plugin dispatch (ocaml/opam src/client/opamCliMain.ml), reduced to what the callers use:
 * global options before the subcommand are consumed, an unknown subcommand NAME runs `opam-NAME`
 * from PATH or <root>/plugins/bin with the remaining arguments (exec: same exit code), `opam exec -- CMD` runs CMD, and
 * the switch-changing commands mirage's Makefile runs (`repo`, `install`) are only logged.
 */
const OPAM_STANDIN = `#!/bin/sh
while [ $# -gt 0 ]; do
  case "$1" in
    -y|--yes|-q|--quiet|--cli=*) shift ;;
    *) break ;;
  esac
done
sub="$1"; [ $# -gt 0 ] && shift
case "$sub" in
  exec) [ "$1" = "--" ] && shift; exec "$@" ;;
  repo|install|update|switch) printf "%s\\n" "opam $sub $*" >> "$STANDIN_LOG"; exit 0 ;;
  ""|-*) echo "opam stand-in: no subcommand" >&2; exit 2 ;;
esac
PATH="\${OPAMROOT:-$HOME/.opam}/plugins/bin:$PATH"
plugin=$(command -v "opam-$sub") || { echo "[ERROR] opam stand-in: no plugin opam-$sub on PATH" >&2; exit 2; }
exec "$plugin" "$@"
`;

/**
 * dpkg-query -W -f '\${Package} \${Status}\\n' NAMES: installed ones are listed in $FAKE_INSTALLED
 * (space-separated); like dpkg-query, exit 1 when some name is unknown.
 */
const DPKG_QUERY = `#!/bin/sh
printf "%s\\n" "dpkg-query $*" >> "$STANDIN_LOG"
shift 3
if [ "$1" = "--" ]; then shift; fi
code=0
for name in "$@"; do
  case " $FAKE_INSTALLED " in
    *" $name "*) echo "$name install ok installed" ;;
    *) echo "dpkg-query: no packages found matching $name" >&2; code=1 ;;
  esac
done
exit $code
`;

/** apt-cache search --names-only --full REGEX: a record for each name of $FAKE_AVAILABLE the regex matches. */
const APT_CACHE = `#!/bin/sh
printf "%s\\n" "apt-cache $*" >> "$STANDIN_LOG"
for regex in "$@"; do :; done
for name in $FAKE_AVAILABLE; do
  if printf '%s\\n' "$name" | grep -Eq "$regex"; then printf 'Package: %s\\nVersion: 1.0\\n\\n' "$name"; fi
done
`;

/** apt-get: logs its arguments and the frontend it was given; fails when $FAKE_APT_FAIL is set. */
const APT_GET = `#!/bin/sh
printf "%s\\n" "apt-get $* (DEBIAN_FRONTEND=$DEBIAN_FRONTEND)" >> "$STANDIN_LOG"
if [ -n "$FAKE_APT_FAIL" ]; then echo "E: Unable to locate package $FAKE_APT_FAIL" >&2; exit 100; fi
`;

/** sudo: logs, then runs the command (as the same user). */
const SUDO = `#!/bin/sh
printf "%s\\n" "sudo $*" >> "$STANDIN_LOG"
exec "$@"
`;

export interface Standins {
  /** The directory to put first on PATH. */
  bin: string;
  /** Every stand-in appends one line per call here. */
  log: string;
  calls(): string[];
  /** PATH with `bin` first; `extra` directories go before it. */
  path(...extra: string[]): string;
}

function script(file: string, text: string): void {
  writeFileSync(file, text);
  chmodSync(file, 0o755);
}

/** A bin directory with `opam`, `opam-monorepo` (a symlink to ours), `dpkg-query`, `apt-cache`, `apt-get`, `sudo`. */
export function writeStandins(dir: string, options: { monorepo?: boolean } = {}): Standins {
  const bin = path.join(dir, "standin-bin");
  mkdirSync(bin, { recursive: true });
  const log = path.join(dir, "standin.log");
  writeFileSync(log, "");
  script(path.join(bin, "opam"), OPAM_STANDIN);
  script(path.join(bin, "dpkg-query"), DPKG_QUERY);
  script(path.join(bin, "apt-cache"), APT_CACHE);
  script(path.join(bin, "apt-get"), APT_GET);
  script(path.join(bin, "sudo"), SUDO);
  if (options.monorepo !== false) symlinkSync(cliPath, path.join(bin, "opam-monorepo"));
  return {
    bin,
    log,
    calls: () => readFileSync(log, "utf8").split("\n").filter((line) => line !== ""),
    path: (...extra) => [...extra, bin, process.env.PATH ?? ""].join(path.delimiter),
  };
}

export interface RunOptions {
  cwd: string;
  home: string;
  standins: Standins;
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; `"open"` leaves stdin open (nothing is ever written). */
  input?: string | "open";
  timeoutMs?: number;
}

/** Runs `command args` with the pinned env (HOME, caches, NO_COLOR in `home`), stand-ins first on PATH. */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<CliResult> {
  const env = pinnedEnv(options.home, { PATH: options.standins.path(), STANDIN_LOG: options.standins.log, ...options.env });
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, stdout, stderr });
    });
    // A program that exits without reading stdin makes the write fail with EPIPE: not an error here.
    child.stdin.on("error", () => undefined);
    if (options.input !== "open") child.stdin.end(options.input ?? "");
  });
}

/** `sh -c LINE`: a command line exactly as a Makefile or CI step writes it. */
export function shell(line: string, options: RunOptions): Promise<CliResult> {
  return run("/bin/sh", ["-c", line], options);
}

export interface FixtureCopy {
  /** The temp dir holding the copy (also used as HOME). */
  dir: string;
  /** `<dir>/fixtures/example`, the bundled example project. */
  example: string;
  fixtures: string;
}

const created: string[] = [];

/** A temp dir removed by `removeTempDirs` (call it in afterAll). */
export async function tempDir(files: Record<string, string> = {}, prefix = "om-plugin-"): Promise<string> {
  const dir = await testdir(files, prefix);
  created.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => removeTestdir(dir)));
}

/** A fresh copy of fixtures/ (the example names its repositories relative to itself). */
export async function copyFixtures(prefix = "om-plugin-"): Promise<FixtureCopy> {
  const dir = await tempDir({}, prefix);
  const fixtures = path.join(dir, "fixtures");
  cpSync(FIXTURES, fixtures, { recursive: true });
  return { dir, fixtures, example: path.join(fixtures, "example") };
}

/** A summary for failed expectations: exit code and both streams. */
export function show(result: CliResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`;
}

export function hasDune(): boolean {
  return (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir !== "" && existsSync(path.join(dir, "dune")));
}
