// `depext`: install (or with --dry-run, print) the system packages the lock file needs on this
// host. Selection and installation live in src/depext; this wires options, prompt and output.
import type { Command } from "commander";
import { hostGlobalEnv } from "../../opam/env.js";
import { confirm, depextFilterEvaluator, dryRunText, runDepext, runningAsRoot, systemRunner } from "../../depext/index.js";
import { addLockfileOptions, loadLockfileArg, type LockfileArgs } from "../lockfile-arg.js";
import type { CommandContext, CommandSpec } from "./index.js";

interface DepextOptions extends LockfileArgs {
  dryRun: boolean;
  yes: boolean;
}

async function runDepextCommand(context: CommandContext, options: DepextOptions): Promise<number> {
  const loaded = await loadLockfileArg(context, options, options.dryRun);
  const env = await hostGlobalEnv(context.env);
  const outcome = await runDepext({
    depexts: loaded.lockfile.depexts,
    evaluate: depextFilterEvaluator(env, loaded.path),
    vars: env,
    dryRun: options.dryRun,
    isRoot: runningAsRoot(),
    run: systemRunner,
    reporter: context.reporter,
    lockfile: loaded.path,
    confirm: (question) =>
      confirm(question, { yes: options.yes, defaultAnswer: true, streams: { input: process.stdin, output: process.stdout } }),
  });
  if (outcome.kind === "dry-run") context.stdout.write(dryRunText(outcome.packages));
  return 0;
}

export const depextCommand: CommandSpec = {
  name: "depext",
  summary: "install external dependencies",
  examples: ["opam-monorepo depext --dry-run", "opam-monorepo depext -y -l mirage/hello-hvt.opam.locked", "opam monorepo depext --yes --lock ./hello.opam.locked"],
  configure(command: Command) {
    addLockfileOptions(command)
      .option("--dry-run", "print the system packages that would be installed, space-separated", false)
      .option("-y, --yes", "do not ask before installing", false);
  },
  run(context, options) {
    return runDepextCommand(context, options as unknown as DepextOptions);
  },
};
