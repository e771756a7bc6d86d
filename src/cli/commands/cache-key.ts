// `cache-key`: a stable digest of the locked sources (URLs, directories, checksums), for keying
// CI caches of the download cache or duniverse/.
import type { Command } from "commander";
import { cacheKey } from "../../fetch/cache-key.js";
import { addLockfileOptions, loadLockfileArg, type LockfileArgs } from "../lockfile-arg.js";
import { renderJson } from "../render.js";
import type { CommandContext, CommandSpec } from "./index.js";

interface CacheKeyArgs extends LockfileArgs {
  json: boolean;
}

async function runCacheKey(context: CommandContext, args: CacheKeyArgs): Promise<number> {
  const { lockfile, path } = await loadLockfileArg(context, args, true);
  const key = cacheKey(lockfile);
  context.stdout.write(args.json ? renderJson({ key, lockfile: path, repositories: lockfile.repos.length }) : `${key}\n`);
  return 0;
}

export const cacheKeyCommand: CommandSpec = {
  name: "cache-key",
  summary: "print a digest of the locked sources, for CI cache keys",
  examples: ["opam-monorepo cache-key", "echo \"key=duniverse-$(opam-monorepo cache-key)\" >> \"$GITHUB_OUTPUT\""],
  configure(command: Command) {
    addLockfileOptions(command).option("--json", "print the key as JSON: { ok, key, lockfile, repositories }", false);
  },
  run(context, options) {
    return runCacheKey(context, options as unknown as CacheKeyArgs);
  },
};
