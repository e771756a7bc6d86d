// `outdated`: for each locked package, the locked version, the newest version the rest of the
// solution allows and the newest the repositories have (`dune pkg outdated`, `cargo outdated`).
// Reads only; `lock --update PKG…` is how to move to the compatible version.
import type { Command } from "commander";
import { outdatedRows, type OutdatedRow } from "../../inspect/outdated.js";
import { lockedOpamFiles, solveLockfile } from "../locked-solve.js";
import { configureLockOptions, type LockOptions } from "./lock.js";
import type { CommandContext, CommandSpec } from "./index.js";

interface OutdatedOptions extends LockOptions {
  all: boolean;
}

function table(rows: readonly OutdatedRow[]): string {
  const header = { name: "package", locked: "locked", compatible: "compatible", latest: "latest" };
  const lines = [header, ...rows];
  const width = (key: keyof typeof header) => Math.max(...lines.map((row) => row[key].length));
  const [name, locked, compatible] = [width("name"), width("locked"), width("compatible")];
  return lines.map((row) => `${row.name.padEnd(name)}  ${row.locked.padEnd(locked)}  ${row.compatible.padEnd(compatible)}  ${row.latest}`.trimEnd() + "\n").join("");
}

async function runOutdated(context: CommandContext, options: OutdatedOptions): Promise<number> {
  const solved = await solveLockfile(context, options);
  const selection = lockedOpamFiles(solved);
  const targets = solved.run.project.targets.map((target) => target.name);
  const rows = outdatedRows({
    repository: solved.run.inputs.repository,
    env: solved.run.inputs.env,
    locked: solved.lockfile.depends,
    selection,
    withTest: new Set(solved.options.buildOnly ? [] : targets),
    allowJbuilder: solved.options.allowJbuilder,
  });
  const outdated = rows.filter((row) => row.latest !== row.locked);
  if (options.json) {
    context.stdout.write(`${JSON.stringify({ ok: true, lockfile: solved.file, outdated: outdated.length, packages: options.all ? rows : outdated }, null, 2)}\n`);
    return 0;
  }
  const shown = options.all ? rows : outdated;
  if (shown.length > 0) context.stdout.write(table(shown));
  const updatable = outdated.filter((row) => row.compatible !== row.locked).map((row) => row.name);
  if (outdated.length === 0) context.reporter.step(`All ${rows.length} locked packages are at the newest version the repositories have.`);
  else if (updatable.length > 0) context.reporter.step(`\`opam-monorepo lock --update ${updatable.join(" ")}\` moves ${updatable.length === 1 ? "it" : "them"} to the compatible version.`);
  return 0;
}

export const outdatedCommand: CommandSpec = {
  name: "outdated",
  summary: "list locked packages with newer versions: the newest the rest of the lock allows, and the newest there is",
  examples: ["opam-monorepo outdated", "opam-monorepo outdated --all --json", "opam-monorepo outdated -l mirage/hello-hvt.opam.locked"],
  configure(command: Command) {
    configureLockOptions(command);
    const lockfile = command.options.find((option) => option.long === "--lockfile");
    if (lockfile) lockfile.description = "the lock file to check (default: the only *.opam.locked at the root)";
    const json = command.options.find((option) => option.long === "--json");
    if (json) json.description = "print the packages as JSON";
    command.option("-a, --all", "list every locked package, not only the outdated ones", false);
  },
  run(context, options) {
    return runOutdated(context, options as unknown as OutdatedOptions);
  },
};
