// `sbom`: a software bill of materials of the lock file, CycloneDX 1.6 JSON (default) or SPDX 2.3
// JSON (`--format spdx`), on stdout or written atomically to `-o FILE`. Reads only the lock file,
// the project and the repositories; SOURCE_DATE_EPOCH fixes the timestamp.
import { Option, type Command } from "commander";
import path from "node:path";
import { UserError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/fs.js";
import { stepsAsInfo } from "../../core/reporter.js";
import { cyclonedxDocument } from "../../inspect/cyclonedx.js";
import { sbomTimestamp } from "../../inspect/sbom-model.js";
import { spdxDocument } from "../../inspect/spdx.js";
import { solveLockfile, warnIfStale } from "../locked-solve.js";
import { sbomInput } from "../sbom-input.js";
import { configureLockOptions, type LockOptions } from "./lock.js";
import type { CommandContext, CommandSpec } from "./index.js";

interface SbomOptions extends LockOptions {
  format: "cyclonedx" | "spdx";
  output?: string;
}

async function runSbom(commandContext: CommandContext, options: SbomOptions): Promise<number> {
  const context = options.json ? { ...commandContext, reporter: stepsAsInfo(commandContext.reporter) } : commandContext;
  const timestamp = sbomTimestamp(context.env.SOURCE_DATE_EPOCH, new Date());
  if (typeof timestamp !== "string") throw new UserError("BAD_ARGUMENT", timestamp.error, { hint: "unset it, or give seconds: SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)" });
  const solved = await solveLockfile(context, options);
  warnIfStale(context.reporter, solved.lockfile, solved.result, solved.file, "The dependency graph is that of the fresh solve");
  const input = sbomInput(solved, timestamp);
  const document = options.format === "spdx" ? spdxDocument(input) : cyclonedxDocument(input);
  const text = `${JSON.stringify(document, null, 2)}\n`;
  if (options.output === undefined) {
    context.stdout.write(text);
    return 0;
  }
  const target = path.resolve(context.cwd, options.output);
  await writeFileAtomic(target, text);
  context.reporter.step(`Wrote the ${options.format === "spdx" ? "SPDX 2.3" : "CycloneDX 1.6"} SBOM of ${input.packages.length} packages to ${target}`);
  if (options.json) context.stdout.write(`${JSON.stringify({ ok: true, lockfile: solved.file, output: target, format: options.format, packages: input.packages.length }, null, 2)}\n`);
  return 0;
}

export const sbomCommand: CommandSpec = {
  name: "sbom",
  summary: "write a software bill of materials of the lock file (CycloneDX 1.6 or SPDX 2.3 JSON)",
  examples: [
    "opam-monorepo sbom > bom.cdx.json",
    "opam-monorepo sbom --format spdx -o bom.spdx.json",
    "SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) opam-monorepo sbom -l mirage/hello-hvt.opam.locked",
  ],
  configure(command: Command) {
    configureLockOptions(command);
    const lockfile = command.options.find((option) => option.long === "--lockfile");
    if (lockfile) lockfile.description = "the lock file to describe (default: the only *.opam.locked at the root)";
    const json = command.options.find((option) => option.long === "--json");
    if (json) json.description = "with -o, print a JSON summary; errors as JSON (the SBOM itself is JSON anyway)";
    command
      .addOption(new Option("-f, --format <format>", "CycloneDX 1.6 or SPDX 2.3, both JSON").choices(["cyclonedx", "spdx"]).default("cyclonedx"))
      .option("-o, --output <file>", "write the SBOM to FILE (atomically) instead of stdout");
  },
  run(context, options) {
    return runSbom(context, options as unknown as SbomOptions);
  },
};
