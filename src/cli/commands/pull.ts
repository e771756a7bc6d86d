// `pull`: lock file → every locked source fetched in parallel, verified and swapped into
// duniverse/ in one step; also `--download-only` (fill the cache) and `--offline`.
import type { Command } from "commander";
import path from "node:path";
import { stepsAsInfo } from "../../core/reporter.js";
import { nowMs } from "../../core/clock.js";
import { UserError } from "../../core/errors.js";
import { runCommand } from "../../core/exec.js";
import { confirm } from "../../depext/index.js";
import { checkDuneProject } from "../../duniverse/dune-project.js";
import { downloadOnly, pullDuniverse } from "../../duniverse/pull.js";
import { lockedOcamlVersion, type Lockfile } from "../../lockfile/model.js";
import { compareVersions } from "../../opam/version.js";
import { originText, pulledLine } from "../../fetch/pull-progress.js";
import { addFetchOptions, fetchOptions, type FetchArgs } from "../fetch-options.js";
import { invokedAs } from "../invocation.js";
import { renderJson } from "../render.js";
import { standardOutputs } from "../output.js";
import { addLockfileOptions, loadLockfileArg, type LockfileArgs } from "../lockfile-arg.js";
import { checkLockFresh } from "../stale-lock.js";
import type { CommandContext, CommandSpec } from "./index.js";

interface PullArgs extends LockfileArgs, FetchArgs {
  keepGitDir: boolean;
  keepSymlinkedDir: boolean;
  yes: boolean;
  downloadOnly: boolean;
  locked: boolean;
  force: boolean;
  json: boolean;
}

async function installedOcaml(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    return (await runCommand("ocamlc", ["-version"], { env })).stdout.trim();
  } catch {
    return undefined;
  }
}

/**
 * opam-monorepo's check after a pull: the switch's compiler against the locked one (a warning).
 * `installedAnswer` was asked for when the pull started, so that `ocamlc` runs while archives extract.
 */
async function checkCompiler(context: CommandContext, lockfile: Lockfile, installedAnswer: Promise<string | undefined>): Promise<void> {
  const locked = lockedOcamlVersion(lockfile);
  const installed = await installedAnswer;
  if (installed === undefined) {
    context.reporter.warn("unable to find an installed ocamlc: the pulled sources need OCaml " + (locked ?? "") + " to build");
    return;
  }
  if (locked !== undefined && compareVersions(installed, locked) < 0) {
    // Without an opam switch (Debian's OCaml, say) the compiler cannot be changed by opam: lock for it.
    const inSwitch = (context.env.OPAM_SWITCH_PREFIX ?? "") !== "";
    const advice = inSwitch
      ? `You might want to change the compiler version of your switch accordingly:\nopam install ocaml.${locked} --update-invariant`
      : `No opam switch is active, so this ocamlc is the system's: lock for it instead:\n${invokedAs(undefined, context.env)} lock --ocaml-version "$(ocamlc -version)"`;
    context.reporter.warn(
      `Pulling duniverse succeeded but the version of the OCaml compiler does not match the lockfile: ${locked} in lockfile, yet ${installed} in ${inSwitch ? "switch" : "PATH"}.\n${advice}`,
    );
  }
}

function askUser(context: CommandContext, args: PullArgs): (question: string) => Promise<boolean> {
  const output = args.json ? standardOutputs().stderr : context.stdout;
  return (question) => confirm(question, { yes: args.yes, defaultAnswer: true, streams: { input: process.stdin, output } });
}

async function runPull(commandContext: CommandContext, args: PullArgs, dirs: string[]): Promise<number> {
  const context = args.json ? { ...commandContext, reporter: stepsAsInfo(commandContext.reporter) } : commandContext;
  const { root, lockfile, path: lockfilePath } = await loadLockfileArg(context, args);
  await checkLockFresh({ root, lockfile, env: context.env, cwd: context.cwd, reporter: context.reporter, command: invokedAs(undefined, context.env), locked: args.locked });
  const json = (fields: Record<string, unknown>) => args.json && context.stdout.write(renderJson({ lockfile: lockfilePath, ...fields }));
  if (lockfile.repos.length === 0) {
    context.reporter.step("No dependencies to pull, there's nothing to be done here!");
    json({ duniverse: path.join(root, "duniverse"), pulled: 0, total: 0 });
    return 0;
  }
  const options = fetchOptions(args, context.env, context.cwd, context.reporter);
  const only = dirs.length > 0 ? dirs : undefined;
  if (args.downloadOnly) {
    const summary = await downloadOnly({ ...options, repos: lockfile.repos, only });
    for (const { dir, reason } of summary.skipped) context.reporter.warn(`duniverse/${dir} is not cached (${reason}); a later pull fetches it again`);
    context.reporter.step(`Downloaded ${summary.downloaded}, ${summary.fromCache} already cached, ${summary.fromMirror} from mirrors: ${summary.archives} archives in ${options.cache.dir}${summary.gitCommits > 0 ? `, ${summary.gitCommits} git commits in its git store` : ""}`);
    json({ downloadOnly: true, cache: options.cache.dir, ...summary });
    return 0;
  }
  // The compiler check starts once the lock file is known good: `ocamlc` runs on another core
  // while the pull goes on.
  const installed = installedOcaml(context.env);
  await checkDuneProject(root, context.reporter, askUser(context, args));
  const started = nowMs();
  if (lockedOcamlVersion(lockfile) === undefined) throw new UserError("NO_COMPILER", "OCaml compiler not in lockfile", { hint: "re-run `opam-monorepo lock`" });
  const summary = await pullDuniverse({
    ...options,
    root,
    repos: lockfile.repos,
    only,
    keepGitDir: args.keepGitDir,
    keepSymlinkedDir: args.keepSymlinkedDir,
    tty: standardOutputs().stderr.isTTY === true,
    interrupts: context.interrupts,
    force: args.force,
  });
  context.reporter.info(`${summary.fromCache} read from the download cache, ${summary.fromMirror} from mirrors, ${summary.downloaded} downloaded, ${summary.git} fetched with git, ${summary.gitStore} from the git store`);
  const kept = summary.kept > 0 ? `${summary.kept} unchanged since the last pull, kept as they were` : "";
  const origins = [originText(summary), kept].filter((part) => part !== "").join(", ");
  context.reporter.step(pulledLine(summary.pulled + summary.kept, summary.total - summary.preserved.length, summary.bytes, origins, (nowMs() - started) / 1000));
  const seconds = Number(((nowMs() - started) / 1000).toFixed(3));
  json({ duniverse: path.join(root, "duniverse"), ...summary, seconds });
  await checkCompiler(context, lockfile, installed);
  return 0;
}

export const pullCommand: CommandSpec = {
  name: "pull",
  summary: "fetch the dependencies sources as specified by the lockfile",
  examples: [
    "opam-monorepo pull",
    "opam-monorepo pull -l mirage/hello-hvt.opam.locked -r \"$PWD\"",
    "opam-monorepo pull --download-only && opam-monorepo pull --offline",
    "opam-monorepo pull --archive-mirror https://opam.ocaml.org/cache lwt",
    "opam-monorepo pull --force",
  ],
  configure(command: Command) {
    addFetchOptions(addLockfileOptions(command.argument("[repositories...]", "duniverse directories to pull (default: all)")))
      .option("--keep-git-dir", "keep .git (and nested duniverse/) in pulled repositories", false)
      .option("--keep-symlinked-dir", "leave duniverse directories that are symlinks alone", false)
      .option("-y, --yes", "answer yes to questions (the dune-project lang bump)", false)
      .option("--download-only", "fill the download cache with every locked archive; extract nothing", false)
      .option("--max-extracted-size <size>", "refuse an archive that extracts to more than this (e.g. 8G, 512M; default 4G, or OPAM_MONOREPO_MAX_EXTRACTED_SIZE)")
      .option("--force", "fetch and extract every repository again, even those unchanged since the last pull", false)
      .option("--locked", "refuse a lock file that no longer satisfies the local opam files (as cargo --locked, npm ci)", false)
      .option("--json", "print the result as JSON on stdout (see the README for its fields); steps only with -v", false);
  },
  run(context, options, operands) {
    return runPull(context, options as unknown as PullArgs, operands);
  },
};
