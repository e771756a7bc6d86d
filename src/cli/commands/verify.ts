// `verify`: re-hash every file of duniverse/ against the manifest the last pull wrote and the lock
// file's sources; list modified, added and removed files per repository; exit 1 on any drift.
import type { Command } from "commander";
import path from "node:path";
import { DUNIVERSE_DIR } from "../../core/paths.js";
import { verifyDuniverse, type RepoVerdict, type VerifyReport } from "../../duniverse/verify.js";
import { selectRepos } from "../../fetch/pull-support.js";
import { addLockfileOptions, loadLockfileArg, type LockfileArgs } from "../lockfile-arg.js";
import type { CommandContext, CommandSpec } from "./index.js";

interface VerifyArgs extends LockfileArgs {
  json: boolean;
}

function verdictLines(verdict: RepoVerdict): string[] {
  const head = `duniverse/${verdict.dir}`;
  switch (verdict.status) {
    case "ok":
      return [`${head}: ok (${verdict.files} ${verdict.files === 1 ? "file" : "files"})`];
    case "missing":
      return [`${head}: missing (not pulled)`];
    case "unverified":
      return [`${head}: unverified, ${verdict.reason}`];
    case "source-changed":
      return [`${head}: source changed: ${verdict.reason}; the lock file says ${verdict.url}`];
    case "drift": {
      const counts = `${verdict.modified.length} modified, ${verdict.added.length} added, ${verdict.removed.length} removed`;
      const files = [...verdict.modified.map((file) => `  modified ${file}`), ...verdict.added.map((file) => `  added    ${file}`), ...verdict.removed.map((file) => `  removed  ${file}`)];
      return [`${head}: ${counts}`, ...files];
    }
  }
}

function summaryLine(report: VerifyReport): string {
  const count = (status: RepoVerdict["status"]) => report.repos.filter((verdict) => verdict.status === status).length;
  const failing = count("drift") + count("source-changed") + count("missing");
  const parts = [`${count("ok")} as pulled`, `${failing} with drift`, `${count("unverified")} unverified`];
  if (report.extra.length > 0) parts.push(`${report.extra.length} not in the lock file`);
  const verdict = !report.ok ? "duniverse/ differs from the lock file" : count("unverified") > 0 ? "no drift found, but not every repository could be verified" : "duniverse/ matches the lock file";
  return `${verdict}: ${report.repos.length} repositories, ${parts.join(", ")}`;
}

async function runVerify(context: CommandContext, args: VerifyArgs, dirs: string[]): Promise<number> {
  const loaded = await loadLockfileArg(context, args, args.json);
  const repos = selectRepos(loaded.lockfile.repos, dirs.length > 0 ? dirs : undefined);
  const report = verifyDuniverse(path.join(loaded.root, DUNIVERSE_DIR), repos, dirs.length === 0);
  if (args.json) {
    context.stdout.write(`${JSON.stringify({ ok: report.ok, lockfile: loaded.path, duniverse: report.duniverse, manifest: report.manifest, repos: report.repos, extra: report.extra }, null, 2)}\n`);
    return report.ok ? 0 : 1;
  }
  const lines = [...report.repos.flatMap(verdictLines), ...report.extra.map((name) => `duniverse/${name}: not in the lock file`)];
  context.stdout.write(lines.map((line) => `${line}\n`).join(""));
  if (report.repos.some((verdict) => verdict.status === "unverified")) {
    context.reporter.warn("unverified repositories have no record of what was pulled: run `opam-monorepo pull` to pull them again and record them");
  }
  if (report.ok) context.reporter.step(summaryLine(report));
  else context.reporter.error(summaryLine(report));
  return report.ok ? 0 : 1;
}

export const verifyCommand: CommandSpec = {
  name: "verify",
  summary: "check that duniverse/ is exactly what the lock file says (every file re-hashed)",
  examples: ["opam-monorepo verify", "opam-monorepo verify --json > verify.json", "opam-monorepo verify -l mirage/hello-hvt.opam.locked fmt lwt"],
  configure(command: Command) {
    addLockfileOptions(command.argument("[repositories...]", "duniverse directories to verify (default: all, and nothing else in duniverse/)")).option(
      "--json",
      "print the report as JSON (exit code as without)",
      false,
    );
  },
  run(context, options, operands) {
    return runVerify(context, options as unknown as VerifyArgs, operands);
  },
};
