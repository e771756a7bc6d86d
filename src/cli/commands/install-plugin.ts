// `install-plugin`: makes `opam monorepo …` run this opam-monorepo, by linking
// $OPAMROOT/plugins/bin/opam-monorepo to our executable (what opam 2.1 looks up for a plugin);
// `--remove` undoes it. Never replaces or removes a file it did not make unless --force.
import { existsSync, lstatSync, readlinkSync, realpathSync, renameSync, rmSync, symlinkSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { UserError } from "../../core/errors.js";
import { opamRoot, PROGRAM } from "../../core/paths.js";
import { renderJson } from "../render.js";
import type { CommandContext, CommandSpec } from "./index.js";

interface InstallPluginArgs {
  opamRoot?: string;
  force: boolean;
  remove: boolean;
  json: boolean;
}

type Action = "installed" | "unchanged" | "replaced" | "removed" | "absent";

/** `bin/opam-monorepo` of the package this module belongs to (found from the module's own path). */
export function ourExecutable(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "bin", PROGRAM);
    if (existsSync(path.join(dir, "package.json")) && existsSync(candidate)) return candidate;
  }
  throw new UserError("PLUGIN_NO_OPAM_ROOT", `cannot find ${PROGRAM}'s own bin/${PROGRAM} above ${fileURLToPath(import.meta.url)}`);
}

/** What is at `link` now: nothing, a link to us, or something else (described). */
function existing(link: string, target: string): { kind: "none" } | { kind: "ours" } | { kind: "other"; what: string } {
  const stats = lstatSync(link, { throwIfNoEntry: false });
  if (stats === undefined) return { kind: "none" };
  if (stats.isSymbolicLink()) {
    const to = readlinkSync(link);
    const resolved = (() => {
      try {
        return realpathSync(link);
      } catch {
        return undefined;
      }
    })();
    return resolved === realpathSync(target) ? { kind: "ours" } : { kind: "other", what: `a link to ${to}` };
  }
  return { kind: "other", what: stats.isDirectory() ? "a directory" : "a file" };
}

/** Replaces `link` by a symbolic link to `target` in one rename (no moment without a plugin). */
function linkAtomically(link: string, target: string): void {
  mkdirSync(path.dirname(link), { recursive: true });
  const temp = `${link}.tmp-${process.pid}`;
  rmSync(temp, { force: true });
  symlinkSync(target, temp);
  renameSync(temp, link);
}

function plan(link: string, target: string, args: InstallPluginArgs): Action {
  const now = existing(link, target);
  const refuse = (what: string) =>
    new UserError("PLUGIN_LINK_EXISTS", `${link} is ${what}, not this ${PROGRAM} (${target})`, {
      hint: `another opam-monorepo is installed as the opam plugin (opam install opam-monorepo puts one there); pass --force to ${args.remove ? "remove" : "replace"} it`,
    });
  if (args.remove) {
    if (now.kind === "none") return "absent";
    if (now.kind === "other" && !args.force) throw refuse(now.what);
    if (now.kind === "other" && now.what === "a directory") throw refuse(now.what);
    rmSync(link, { force: true });
    return "removed";
  }
  if (now.kind === "ours") return "unchanged";
  if (now.kind === "other" && (!args.force || now.what === "a directory")) throw refuse(now.what);
  linkAtomically(link, target);
  return now.kind === "none" ? "installed" : "replaced";
}

async function runInstallPlugin(context: CommandContext, args: InstallPluginArgs): Promise<number> {
  const root = args.opamRoot === undefined ? opamRoot(context.env) : path.resolve(context.cwd, args.opamRoot);
  if (!existsSync(path.join(root, "config"))) {
    throw new UserError("PLUGIN_NO_OPAM_ROOT", `no opam root at ${root} (it has no config file)`, {
      hint: "run `opam init` first, or give the root with --opam-root DIR (default: $OPAMROOT, else ~/.opam)",
    });
  }
  const link = path.join(root, "plugins", "bin", PROGRAM);
  const target = ourExecutable();
  const action = plan(link, target, args);
  const said: Record<Action, string> = {
    installed: `Linked ${link} to ${target}: \`opam monorepo\` now runs this ${PROGRAM}.`,
    replaced: `Replaced ${link} by a link to ${target}: \`opam monorepo\` now runs this ${PROGRAM}.`,
    unchanged: `${link} already links to ${target}.`,
    removed: `Removed ${link}: \`opam monorepo\` no longer runs this ${PROGRAM}.`,
    absent: `${link} does not exist: nothing to remove.`,
  };
  if (args.json) context.stdout.write(renderJson({ action, link, target, opamRoot: root }));
  else context.reporter.step(said[action]);
  return 0;
}

export const installPluginCommand: CommandSpec = {
  name: "install-plugin",
  summary: "make `opam monorepo` run this opam-monorepo (links $OPAMROOT/plugins/bin/opam-monorepo to it)",
  examples: ["opam-monorepo install-plugin", "opam-monorepo install-plugin --opam-root ~/.opam --force", "opam-monorepo install-plugin --remove"],
  configure(command: Command) {
    command
      .option("--opam-root <dir>", "the opam root (default: $OPAMROOT, else ~/.opam)")
      .option("--force", "replace (or with --remove, remove) another opam-monorepo installed there", false)
      .option("--remove", "remove the link instead (only if it is ours, unless --force)", false)
      .option("--json", "print the outcome as JSON: { ok, action, link, target, opamRoot }", false);
  },
  run(context, options) {
    return runInstallPlugin(context, options as unknown as InstallPluginArgs);
  },
};
