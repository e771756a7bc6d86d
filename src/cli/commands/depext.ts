// `depext`: install (or with --dry-run, print) the system packages the lock file needs on this
// host. Selection and installation live in src/depext; this wires options, prompt and output.
import type { Command } from "commander";
import { hostGlobalEnv } from "../../opam/env.js";
import { confirm, depextFilterEvaluator, dryRunText, formatCommand, runDepext, runningAsRoot, systemRunner, systemRunnerToStderr, type DepextOutcome } from "../../depext/index.js";
import { stepsAsInfo } from "../../core/reporter.js";
import { renderJson } from "../render.js";
import { standardOutputs } from "../output.js";
import { addLockfileOptions, loadLockfileArg, type LockfileArgs } from "../lockfile-arg.js";
import type { CommandContext, CommandSpec } from "./index.js";

interface DepextOptions extends LockfileArgs {
  dryRun: boolean;
  yes: boolean;
  json: boolean;
}

async function runDepextCommand(commandContext: CommandContext, options: DepextOptions): Promise<number> {
  const context = options.json ? { ...commandContext, reporter: stepsAsInfo(commandContext.reporter) } : commandContext;
  const loaded = await loadLockfileArg(context, options, options.dryRun);
  const env = await hostGlobalEnv(context.env);
  const outcome = await runDepext({
    depexts: loaded.lockfile.depexts,
    evaluate: depextFilterEvaluator(env, loaded.path),
    vars: env,
    dryRun: options.dryRun,
    isRoot: runningAsRoot(),
    run: options.json ? systemRunnerToStderr : systemRunner,
    reporter: context.reporter,
    lockfile: loaded.path,
    confirm: (question) =>
      confirm(question, { yes: options.yes, defaultAnswer: true, streams: { input: process.stdin, output: options.json ? standardOutputs().stderr : standardOutputs().stdout } }),
  });
  if (options.json) context.stdout.write(renderJson({ lockfile: loaded.path, ...outcomeJson(outcome) }));
  else if (outcome.kind === "dry-run") context.stdout.write(dryRunText(outcome.packages));
  return 0;
}

/** `action` (nothing-to-do, dry-run, declined, installed), the packages, and the commands run or declined. */
function outcomeJson(outcome: DepextOutcome): Record<string, unknown> {
  if (outcome.kind === "nothing-to-do") return { action: outcome.kind, packages: [], commands: [] };
  if (outcome.kind === "dry-run") return { action: outcome.kind, packages: outcome.packages, checked: outcome.checked, commands: [] };
  return { action: outcome.kind, packages: outcome.packages, commands: outcome.commands.map(formatCommand) };
}

export const depextCommand: CommandSpec = {
  name: "depext",
  summary: "install external dependencies",
  examples: ["opam-monorepo depext --dry-run", "opam-monorepo depext -y -l mirage/hello-hvt.opam.locked", "opam monorepo depext --yes --lock ./hello.opam.locked"],
  configure(command: Command) {
    addLockfileOptions(command)
      .option("--dry-run", "print the system packages that would be installed, space-separated", false)
      .option("-y, --yes", "do not ask before installing", false)
      .option("--json", "print the outcome as JSON: { ok, lockfile, action, packages, commands } (the installer's output goes to stderr)", false);
  },
  run(context, options) {
    return runDepextCommand(context, options as unknown as DepextOptions);
  },
};
