// `mirror DIR`: every locked archive written into DIR in opam's cache layout, so a static file
// server (or a shared directory) can serve a team or CI fleet as an --archive-mirror.
import type { Command } from "commander";
import path from "node:path";
import { writeMirror } from "../../fetch/mirror.js";
import { addFetchOptions, fetchOptions, type FetchArgs } from "../fetch-options.js";
import { addLockfileOptions, loadLockfileArg, type LockfileArgs } from "../lockfile-arg.js";
import type { CommandContext, CommandSpec } from "./index.js";

interface MirrorArgs extends LockfileArgs, FetchArgs {}

async function runMirror(context: CommandContext, args: MirrorArgs, dir: string): Promise<number> {
  const { lockfile } = await loadLockfileArg(context, args);
  const target = path.resolve(context.cwd, dir);
  const summary = await writeMirror(target, lockfile.repos, fetchOptions(args, context.env, context.cwd, context.reporter));
  for (const { dir: skipped, reason } of summary.skipped) context.reporter.warn(`duniverse/${skipped} cannot be mirrored (${reason})`);
  context.reporter.step(`Wrote ${summary.written} archives to ${target}`);
  return 0;
}

export const mirrorCommand: CommandSpec = {
  name: "mirror",
  summary: "write every locked archive into DIR in the opam cache layout (<algo>/<xx>/<hex>)",
  examples: ["opam-monorepo mirror /srv/opam-mirror", "opam-monorepo pull --archive-mirror https://mirror.example.org/opam"],
  operandCount: 1,
  configure(command: Command) {
    addFetchOptions(addLockfileOptions(command.argument("<dir>", "where to write the archives")));
  },
  run(context, options, operands) {
    return runMirror(context, options as unknown as MirrorArgs, operands[0]!);
  },
};
