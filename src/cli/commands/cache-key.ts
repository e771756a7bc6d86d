// `cache-key`: a stable digest of the locked sources (URLs, directories, checksums), for keying
// CI caches of the download cache or duniverse/.
import type { Command } from "commander";
import { cacheKey } from "../../fetch/cache-key.js";
import { addLockfileOptions, loadLockfileArg, type LockfileArgs } from "../lockfile-arg.js";
import type { CommandContext, CommandSpec } from "./index.js";

async function runCacheKey(context: CommandContext, args: LockfileArgs): Promise<number> {
  const { lockfile } = await loadLockfileArg(context, args, true);
  context.stdout.write(`${cacheKey(lockfile)}\n`);
  return 0;
}

export const cacheKeyCommand: CommandSpec = {
  name: "cache-key",
  summary: "print a digest of the locked sources, for CI cache keys",
  examples: ["opam-monorepo cache-key", "echo \"key=duniverse-$(opam-monorepo cache-key)\" >> \"$GITHUB_OUTPUT\""],
  configure(command: Command) {
    addLockfileOptions(command);
  },
  run(context, options) {
    return runCacheKey(context, options as unknown as LockfileArgs);
  },
};
