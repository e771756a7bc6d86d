// `mirror DIR`: every locked archive written into DIR in opam's cache layout, so a static file
// server (or a shared directory) can serve a team or CI fleet as an --archive-mirror.
import type { Command } from "commander";
import path from "node:path";
import { writeMirror } from "../../fetch/mirror.js";
import { addFetchOptions, fetchOptions, type FetchArgs } from "../fetch-options.js";
import { addLockfileOptions, loadLockfileArg, type LockfileArgs } from "../lockfile-arg.js";
import { stepsAsInfo } from "../../core/reporter.js";
import { renderJson } from "../render.js";
import type { CommandContext, CommandSpec } from "./index.js";

interface MirrorArgs extends LockfileArgs, FetchArgs {
  json: boolean;
}

async function runMirror(commandContext: CommandContext, args: MirrorArgs, dir: string): Promise<number> {
  const context = args.json ? { ...commandContext, reporter: stepsAsInfo(commandContext.reporter) } : commandContext;
  const { lockfile, path: lockfilePath } = await loadLockfileArg(context, args);
  const target = path.resolve(context.cwd, dir);
  const summary = await writeMirror(target, lockfile.repos, fetchOptions(args, context.env, context.cwd, context.reporter));
  for (const { dir: skipped, reason } of summary.skipped) context.reporter.warn(`duniverse/${skipped} cannot be mirrored (${reason})`);
  context.reporter.step(`Wrote ${summary.written} archives to ${target}`);
  if (args.json) context.stdout.write(renderJson({ lockfile: lockfilePath, dir: target, written: summary.written, skipped: summary.skipped }));
  return 0;
}

export const mirrorCommand: CommandSpec = {
  name: "mirror",
  summary: "write every locked archive into DIR in the opam cache layout (<algo>/<xx>/<hex>)",
  examples: ["opam-monorepo mirror /srv/opam-mirror", "opam-monorepo pull --archive-mirror https://mirror.example.org/opam"],
  operandCount: 1,
  configure(command: Command) {
    addFetchOptions(addLockfileOptions(command.argument("<dir>", "where to write the archives"))).option(
      "--json",
      "print the result as JSON: { ok, lockfile, dir, written, skipped: [{ dir, reason }] }",
      false,
    );
  },
  run(context, options, operands) {
    return runMirror(context, options as unknown as MirrorArgs, operands[0]!);
  },
};
