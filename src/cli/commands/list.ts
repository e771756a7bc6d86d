// `list`: the vendored packages of the lock file, with version and synopsis (read from the
// pulled sources' opam files when present), or names only with --short, or JSON.
import type { Command } from "commander";
import { readInputText } from "../../core/read-input.js";
import path from "node:path";
import { DUNIVERSE_DIR } from "../../core/paths.js";
import type { DuniverseRepo } from "../../duniverse/plan.js";
import { findField } from "../../opam/ast.js";
import { parseOpam } from "../../opam/parser.js";
import { invokedAs } from "../invocation.js";
import { addLockfileOptions, loadLockfileArg, type LockfileArgs } from "../lockfile-arg.js";
import { checkLockFresh } from "../stale-lock.js";
import type { CommandContext, CommandSpec } from "./index.js";
import { bytewise } from "../../core/compare.js";

interface ListOptions extends LockfileArgs {
  short: boolean;
  json: boolean;
}

interface Listed {
  name: string;
  version: string;
  dir: string;
  url: string;
  pinned: boolean;
  synopsis: string | undefined;
}

/** opam-monorepo shows these as "pinned at <url>" rather than with a synopsis. */
function isPinnedSource(version: string, url: string): boolean {
  return /^git(\+|:)/.test(url) || /\+(dune|mirage)/.test(version) || url.startsWith("https://github.com/dune-universe");
}

async function synopsisOf(duniverse: string, dir: string, name: string): Promise<string | undefined> {
  const file = path.join(duniverse, dir, `${name}.opam`);
  try {
    const field = findField(parseOpam(await readInputText(file, "an opam file"), file).items, "synopsis");
    return field?.value.kind === "string" ? field.value.value : undefined;
  } catch {
    return undefined;
  }
}

async function listedPackages(root: string, repos: readonly DuniverseRepo[]): Promise<Listed[]> {
  const duniverse = path.join(root, DUNIVERSE_DIR);
  const entries = repos.flatMap((repo) => repo.provides.map((ref) => ({ ...ref, dir: repo.dir, url: repo.url })));
  const listed = await Promise.all(
    entries.map(async (entry) => ({ ...entry, pinned: isPinnedSource(entry.version, entry.url), synopsis: await synopsisOf(duniverse, entry.dir, entry.name) })),
  );
  return listed.sort((a, b) => bytewise(a.name, b.name));
}

function table(rows: readonly Listed[]): string {
  const nameWidth = Math.max(0, ...rows.map((row) => row.name.length));
  const versionWidth = Math.max(0, ...rows.map((row) => row.version.length));
  return rows
    .map((row) => {
      const right = row.pinned ? `pinned at ${row.url}` : (row.synopsis ?? "--");
      return `${row.name.padEnd(nameWidth)} ${row.version.padEnd(versionWidth)} ${right}\n`;
    })
    .join("");
}

async function runList(context: CommandContext, options: ListOptions): Promise<number> {
  const loaded = await loadLockfileArg(context, options, options.short || options.json);
  await checkLockFresh({ root: loaded.root, lockfile: loaded.lockfile, env: context.env, cwd: context.cwd, reporter: context.reporter, command: invokedAs(undefined, context.env) });
  const rows = await listedPackages(loaded.root, loaded.lockfile.repos);
  if (options.json) {
    context.stdout.write(`${JSON.stringify({ ok: true, lockfile: loaded.path, packages: rows }, null, 2)}\n`);
  } else if (options.short) {
    context.stdout.write(rows.map((row) => `${row.name}\n`).join(""));
  } else {
    context.reporter.step(`The vendor directory is ${path.join(loaded.root, DUNIVERSE_DIR)}/`);
    context.stdout.write(table(rows));
  }
  return 0;
}

export const listCommand: CommandSpec = {
  name: "list",
  summary: "display the list of monorepo packages",
  examples: ["opam-monorepo list", "opam-monorepo list -s -l mirage.opam.locked", "opam-monorepo list --json"],
  configure(command: Command) {
    addLockfileOptions(command).option("-s, --short", "only print package names, one per line", false).option("--json", "print the packages as JSON", false);
  },
  run(context, options) {
    return runList(context, options as unknown as ListOptions);
  },
};
