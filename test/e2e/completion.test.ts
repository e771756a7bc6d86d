// `opam-monorepo completion bash|zsh|fish` (issue 12.13), through the real CLI: the bash script
// is sourced in a real bash and asked for completions as readline would (COMP_WORDS/COMP_CWORD);
// zsh and fish scripts are syntax-checked by those shells when installed, and checked for content.
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { cliLine, shellQuote } from "../helpers/terminal.js";
import { testdir } from "../helpers/testdir.js";

const has = (program: string) => spawnSync("sh", ["-c", `command -v ${program}`]).status === 0;
let dir: string;
let commands: string[];

beforeAll(async () => {
  dir = await testdir();
  const top = await runCli(["--help"], { cwd: dir });
  commands = [...top.stdout.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((match) => match[1]!).filter((name) => name !== "help");
});

/** What bash completes for `words` (the last one being completed), after sourcing our script. */
function bashComplete(words: string[]): string[] {
  const script = [
    `source <(${cliLine(["completion", "bash"])})`,
    `COMP_WORDS=(${words.map((word) => shellQuote(word) || "''").join(" ")})`,
    `COMP_CWORD=${words.length - 1}`,
    "_opam_monorepo",
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join("\n");
  const result = spawnSync("bash", ["--norc", "--noprofile", "-c", script], { encoding: "utf8" });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split("\n").filter((line) => line !== "");
}

/** The long options commander's --help lists for `command`. */
async function longOptions(command: string): Promise<string[]> {
  const help = await runCli([command, "--help"], { cwd: dir });
  const options = help.stdout.slice(help.stdout.indexOf("Options:"), help.stdout.indexOf("\nExamples:") >>> 0 || undefined);
  return [...new Set([...options.matchAll(/(?:^|[\s,])(--[a-z][a-z-]*)/gm)].map((match) => match[1]!))];
}

describe("bash completion", () => {
  it("registers _opam_monorepo for opam-monorepo and monorepo", () => {
    const result = spawnSync("bash", ["--norc", "-c", `source <(${cliLine(["completion", "bash"])}); complete -p opam-monorepo monorepo`], { encoding: "utf8" });
    expect(result.stdout).toMatch(/^complete -o bashdefault -o default -F _opam_monorepo opam-monorepo$/m);
    expect(result.stdout).toContain("-F _opam_monorepo monorepo");
  });

  it("completes commands, options, option values and operands", () => {
    expect(bashComplete(["opam-monorepo", ""])).toEqual(expect.arrayContaining([...commands, "--help", "--version"]));
    expect(bashComplete(["opam-monorepo", "lo"])).toEqual(["lock"]);
    expect(bashComplete(["opam-monorepo", "lock", "--lockf"])).toEqual(["--lockfile"]);
    expect(bashComplete(["opam-monorepo", "lock", "--color", ""])).toEqual(["auto", "always", "never"]);
    expect(bashComplete(["opam-monorepo", "-v", "pull", "--down"])).toEqual(["--download-only"]);
    expect(bashComplete(["monorepo", "completion", ""])).toEqual(["bash", "zsh", "fish"]);
    expect(bashComplete(["opam-monorepo", "lock", "--root", ""])).toEqual([]);
  }, 30_000);

  it("offers every long option each command's --help lists", async () => {
    for (const command of commands) {
      const offered = bashComplete(["opam-monorepo", command, "--"]);
      for (const option of await longOptions(command)) expect(offered, `${command} ${option}`).toContain(option);
    }
  }, 120_000);
});

describe("zsh and fish completion", () => {
  it("zsh: a #compdef function with every command and each command's options", async () => {
    const zsh = (await runCli(["completion", "zsh"], { cwd: dir })).stdout;
    expect(zsh.startsWith("#compdef opam-monorepo monorepo\n")).toBe(true);
    for (const command of commands) expect(zsh).toMatch(new RegExp(`\\n {4}'${command}:`));
    expect(zsh).toContain("'--lockfile=[the lock file to write (relative to the current directory)]:PATH:_files'");
    expect(zsh).toContain("'--color=[colourise the output]:WHEN:(auto always never)'");
  });

  it.runIf(has("zsh"))("zsh -n accepts it", async () => {
    const zsh = (await runCli(["completion", "zsh"], { cwd: dir })).stdout;
    expect(spawnSync("zsh", ["-n"], { input: zsh, encoding: "utf8" }).status).toBe(0);
  });

  it("fish: a complete line per command and per option, monorepo wrapping opam-monorepo", async () => {
    const fish = (await runCli(["completion", "fish"], { cwd: dir })).stdout;
    expect(fish).toContain("complete -c monorepo -w opam-monorepo\n");
    for (const command of commands) expect(fish).toContain(`complete -c opam-monorepo -f -n __fish_use_subcommand -a '${command}'`);
    expect(fish).toContain("complete -c opam-monorepo -n '__fish_seen_subcommand_from lock' -s l -l lockfile -r -F -d ");
    expect(fish).toContain("complete -c opam-monorepo -n '__fish_seen_subcommand_from pull' -l color -x -a 'auto always never'");
  });

  it.runIf(has("fish"))("fish -n accepts it", async () => {
    const fish = (await runCli(["completion", "fish"], { cwd: dir })).stdout;
    expect(spawnSync("fish", ["-n"], { input: fish, encoding: "utf8" }).status).toBe(0);
  });

  it("an unknown shell is a command-line error (124)", async () => {
    const bad = await runCli(["completion", "tcsh"], { cwd: dir });
    expect(bad.code).toBe(124);
    expect(bad.stderr).toContain("tcsh");
  });
});

if (!has("zsh")) console.warn("completion.test.ts: zsh is not installed; the zsh script is checked for content only");
if (!has("fish")) console.warn("completion.test.ts: fish is not installed; the fish script is checked for content only");
