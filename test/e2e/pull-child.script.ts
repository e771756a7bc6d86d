// Runs one pull in its own process (for the kill and concurrent-cache tests), configured by a
// JSON argument: { root, repos, cacheDir, jobs, force }. Prints the summary as JSON; exit 1 on error.
import { pullDuniverse } from "../../src/duniverse/pull.js";
import { silentReporter } from "../../src/core/reporter.js";
import { DownloadCache } from "../../src/fetch/cache.js";

const config = JSON.parse(process.argv[2] ?? "{}");
pullDuniverse({
  root: config.root, repos: config.repos, keepGitDir: false, keepSymlinkedDir: false, jobs: config.jobs ?? 4, retries: 2,
  cache: new DownloadCache(config.cacheDir), mirrors: [], offline: false, noChecksums: false, requireChecksums: false,
  reporter: silentReporter, backoffMs: 10, force: config.force === true,
}).then(
  (summary) => process.stdout.write(`${JSON.stringify(summary)}\n`),
  (error: Error & { code?: string }) => {
    process.stderr.write(`${error.code ?? "ERROR"}: ${error.message}\n`);
    process.exitCode = 1;
  },
);
