// `workspace`: write dune-workspace with one cross-compilation context per target (mirage's
// exact contexts), never over a file this tool did not generate unless --force.
import type { Command } from "commander";
import { UserError } from "../../core/errors.js";
import { projectRoot } from "../../project/project.js";
import { planWorkspace, writeWorkspace, type CustomContext } from "../../workspace/index.js";
import { toolVersion } from "../version.js";
import type { CommandContext, CommandSpec } from "./index.js";

interface WorkspaceOptions {
  root?: string;
  target: string[];
  context: string[];
  toolchain: string[];
  force: boolean;
  json: boolean;
}

function customContexts(options: WorkspaceOptions): CustomContext[] {
  if (options.context.length !== options.toolchain.length) {
    throw new UserError("BAD_ARGUMENT", "each --context NAME needs one --toolchain T (and each --toolchain a --context)", {
      hint: "e.g. --context solo5-arm --toolchain solo5-arm",
    });
  }
  return options.context.map((name, index) => ({ name, toolchain: options.toolchain[index]! }));
}

async function runWorkspace(context: CommandContext, options: WorkspaceOptions): Promise<number> {
  const root = projectRoot(options.root, context.cwd);
  const model = planWorkspace(options.target, customContexts(options));
  const result = await writeWorkspace(root, model, { force: options.force, version: toolVersion() });
  const verb = { create: "Wrote", regenerate: "Regenerated", replace: "Replaced", unchanged: "Unchanged:" }[result.action];
  if (options.json) context.stdout.write(`${JSON.stringify({ ok: true, path: result.path, action: result.action }, null, 2)}\n`);
  else context.reporter.step(`${verb} ${result.path}`);
  return 0;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export const workspaceCommand: CommandSpec = {
  name: "workspace",
  summary: "write a dune-workspace with one cross-compilation context per target",
  examples: [
    "opam-monorepo workspace --target hvt",
    "opam-monorepo workspace --target hvt --target unikraft-qemu --root /path/to/unikernel",
    "opam-monorepo workspace --context solo5-arm --toolchain solo5-arm",
  ],
  configure(command: Command) {
    command
      .option("-r, --root <dir>", "where to write dune-workspace (default: the current directory)")
      .option("-t, --target <target>", "a mirage target: unix, macosx, hvt, spt, virtio, muen, genode, xen, qubes, unikraft-firecracker, unikraft-qemu (repeatable)", collect, [])
      .option("--context <name>", "add a context NAME using a findlib toolchain (with --toolchain; repeatable)", collect, [])
      .option("--toolchain <toolchain>", "the findlib toolchain of the matching --context", collect, [])
      .option("--force", "overwrite a dune-workspace this tool did not generate", false)
      .option("--json", "print the written path and action as JSON", false);
  },
  run(context, options) {
    return runWorkspace(context, options as unknown as WorkspaceOptions);
  },
};
