// `lock`: project → repositories → solve → duniverse plan → lock file. The stages meet here;
// each lives in its own module. Prints only through the Reporter (and stdout for --json).
import type { Command } from "commander";
import path from "node:path";
import { nowMs } from "../../core/clock.js";
import { UserError } from "../../core/errors.js";
import { stepsAsInfo } from "../../core/reporter.js";
import { previousLockfile, readLockfile, writeLockfileIfChanged } from "../../lockfile/file.js";
import type { Lockfile } from "../../lockfile/model.js";
import { packageFromOpam, type OpamPackage } from "../../opam/package.js";
import { parseCliGlobalVars, parseCliOpamProvided, parseCliRepositories } from "../../project/cli-list.js";
import type { CliConfig, SourceConfig } from "../../project/config.js";
import { loadProject, targetsMessage, type Project } from "../../project/project.js";
import { lockedView } from "../../repository/locked-view.js";
import { solveLock, type LockSolveResult } from "../../solve/lock-solve.js";
import { openLockInputs, type LockInputs } from "../lock-inputs.js";
import { analyseFailure } from "../lock-failure.js";
import { lockProgress, type LockProgress } from "../lock-progress.js";
import { changesMessage, lockChanges } from "../lock-changes.js";
import { solverTimeoutSeconds, withSolverDeadline } from "../solver-timeout.js";
import { buildLockfile, planOfSolution, resolveRepos, solveFailure } from "../lock-output.js";
import { updateRequest } from "../lock-update.js";
import { invokedAs } from "../invocation.js";
import { unsetMonorepo, unsetMonorepoWarning } from "../monorepo-var.js";
import { skippingBrokenFiles } from "../lock-broken.js";
import type { CommandContext, CommandSpec } from "./index.js";

export interface LockOptions {
  root?: string;
  lockfile?: string;
  recurseOpam: boolean;
  buildOnly: boolean;
  allowJbuilder: boolean;
  ocamlVersion?: string;
  requireCrossCompile: boolean;
  minimalUpdate: boolean;
  opamRepositories?: string;
  addOpamRepositories?: string;
  globalOpamVars?: string;
  addGlobalOpamVars?: string;
  opamProvided?: string;
  addOpamProvided?: string;
  indexCache: boolean;
  json?: boolean;
  verbose: number;
  /** `lock --update PKG…`: re-lock preferring every locked version but these packages'. */
  update?: string[];
  solverTimeout?: string;
}

function cliValue<T>(text: string | undefined, flag: string, parse: (text: string) => T): T | undefined {
  if (text === undefined) return undefined;
  try {
    return parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UserError("BAD_OPTION_VALUE", `option --${flag} ${JSON.stringify(text)}: ${message}`, { hint: "lists are written '[a,b,c]', e.g. --opam-provided '[ocamlfind]'" });
  }
}

function cliConfig(options: LockOptions): CliConfig {
  const config = (repos?: string, vars?: string, provided?: string, prefix = ""): SourceConfig => ({
    repositories: cliValue(repos, `${prefix}opam-repositories`, parseCliRepositories),
    globalVars: cliValue(vars, `${prefix}global-opam-vars`, parseCliGlobalVars),
    opamProvided: cliValue(provided, `${prefix}opam-provided`, parseCliOpamProvided),
  });
  return {
    replace: config(options.opamRepositories, options.globalOpamVars, options.opamProvided),
    add: config(options.addOpamRepositories, options.addGlobalOpamVars, options.addOpamProvided, "add-"),
  };
}

async function preferredVersions(project: Project, options: LockOptions): Promise<Map<string, string>> {
  if (!options.minimalUpdate) return new Map();
  let previous: Lockfile;
  try {
    previous = await readLockfile(project.lockfilePath, project.root);
  } catch (error) {
    if (error instanceof UserError && error.code === "LOCKFILE_MISSING") {
      throw new UserError("LOCKFILE_MISSING", `No lock file to upgrade, could not find ${project.lockfilePath}`);
    }
    throw error;
  }
  const relaxed = new Set(options.update ?? []);
  return new Map(previous.depends.filter((dependency) => !relaxed.has(dependency.name)).map((dependency) => [dependency.name, dependency.version]));
}

export interface LockRun {
  project: Project;
  inputs: LockInputs;
  targets: OpamPackage[];
  result: LockSolveResult;
}

/**
 * Everything up to and including the solve (shared by `lock` and `why`). `lockedOnly` (why):
 * offer only the versions of the lock file being explained (see repository/locked-view.ts).
 */
export async function solveProject(context: CommandContext, options: LockOptions, packages: string[], lockedOnly = false): Promise<LockRun> {
  const onTargets = (count: number, warnings: readonly string[]) => {
    for (const warning of warnings) context.reporter.warn(warning);
    context.reporter.step(targetsMessage(count));
  };
  const project = await loadProject({ root: options.root, packages, recurse: options.recurseOpam, lockfile: options.lockfile, cli: cliConfig(options), onTargets, command: invokedAs(undefined, context.env) });
  context.reporter.info(`Target package${project.targets.length > 1 ? "s" : ""}: ${project.targets.map((t) => t.name).join(", ")}.`);
  const opened = nowMs();
  const progress = lockProgress(context.reporter);
  try {
    return await solveWithProgress(context, options, project, progress, opened, lockedOnly);
  } finally {
    progress.finish();
  }
}

/** The pinned packages; the fetching code (HTTP, git, archives) loads only when there are pins. */
async function loadPins(project: Project, context: CommandContext): Promise<OpamPackage[]> {
  if (project.pins.length === 0) return [];
  const { fetchPins } = await import("../lock-pins.js");
  return fetchPins(project.pins, context.env, context.reporter);
}

async function solveWithProgress(
  context: CommandContext,
  options: LockOptions,
  project: Project,
  progress: LockProgress,
  opened: number,
  lockedOnly: boolean,
): Promise<LockRun> {
  const [inputs, pins, preferred] = await Promise.all([
    openLockInputs(project, { env: context.env, cwd: context.cwd, reporter: context.reporter, indexCache: options.indexCache, progress }),
    loadPins(project, context),
    preferredVersions(project, options),
  ]);
  const solving = nowMs();
  progress.phase(`Solving for ${project.targets.length} local package${project.targets.length > 1 ? "s" : ""} against ${inputs.repository.members.length} repositor${inputs.repository.members.length > 1 ? "ies" : "y"}…`);
  context.reporter.debug(`timing: repositories and pins opened in ${(solving - opened).toFixed(0)} ms`);
  const locals = project.locals.map((local) => packageFromOpam(local.opam, local.name, local.version));
  const targets = locals.filter((pkg) => project.targets.some((target) => target.name === pkg.name));
  const timeout = solverTimeoutSeconds(options.solverTimeout, context.env);
  const result = withSolverDeadline(timeout, (deadline) => solveLock({
    repository: skippingBrokenFiles(lockedOnly ? lockedView(inputs.repository, preferred) : inputs.repository, (message) => context.reporter.warn(message)),
    env: inputs.env,
    locals,
    pins: [...inputs.switchPins, ...pins],
    targets: targets.map((pkg) => pkg.name),
    buildOnly: options.buildOnly,
    allowJbuilder: options.allowJbuilder,
    requireCrossCompile: options.requireCrossCompile,
    ocamlVersion: options.ocamlVersion,
    opamProvided: new Set(project.config.opamProvided ?? []),
    preferred,
    devVersionsOnly: inputs.mode === "explicit",
    deadline,
  }));
  void inputs.repository.flush().catch(() => undefined);
  context.reporter.debug(`timing: solved in ${(nowMs() - solving).toFixed(0)} ms`);
  for (const stats of result.stats) context.reporter.debug(`solve: ${JSON.stringify(stats)}`);
  return { project, inputs, targets, result };
}

/** `work()` with a progress line saying `text` while it runs (when `shown`). */
async function withPhase<T>(context: CommandContext, text: string, shown: boolean, work: () => Promise<T>): Promise<T> {
  const progress = lockProgress(context.reporter);
  if (shown) progress.phase(text);
  try {
    return await work();
  } finally {
    progress.finish();
  }
}

async function runLock(commandContext: CommandContext, lockOptions: LockOptions, lockPackages: string[]): Promise<number> {
  let context = lockOptions.json ? { ...commandContext, reporter: stepsAsInfo(commandContext.reporter) } : commandContext;
  // --update: the lock file's own options and packages, its command line recorded unchanged.
  const update = lockOptions.update !== undefined ? await updateRequest(context, lockOptions, lockPackages) : undefined;
  if (update !== undefined) context = { ...context, rawArgs: update.cliArgs };
  const options = update?.options ?? lockOptions;
  const packages = update?.packages ?? lockPackages;
  const { project, inputs, targets, result } = await solveProject(context, options, packages);
  const plural = targets.length > 1 ? "s" : "";
  if (!result.ok) {
    const logError = (line: string) => context.reporter.error(line);
    const command = invokedAs(undefined, context.env);
    const analysing = nowMs();
    const causes = { analysis: analyseFailure(result, targets), targets: targets.map((t) => t.name), buildOnly: options.buildOnly, command };
    context.reporter.debug(`timing: failure analysed in ${(nowMs() - analysing).toFixed(0)} ms`);
    throw solveFailure(result.diagnostics, { verbose: options.verbose > 0, overlayConfigured: inputs.overlayConfigured, phase: result.phase, logError, causes });
  }
  context.reporter.step(`Found ${result.packages.length} opam dependencies for the target package${plural}.`);
  context.reporter.step("Querying opam database for their metadata and Dune compatibility.");
  context.reporter.step("Calculating exact pins for each of them.");
  const plan = planOfSolution(result.packages);
  for (const warning of plan.warnings) context.reporter.warn(warning);
  const repos = await withPhase(context, `Pinning ${plan.repos.filter((repo) => repo.git).length} git sources to commits…`, plan.repos.some((repo) => repo.git), () => resolveRepos(plan, context.env));
  const lockfile = buildLockfile({
    targets,
    packages: result.packages,
    repos,
    config: project.config,
    repositoriesUsed: inputs.repositoriesUsed,
    cliArgs: context.rawArgs,
  });
  const previous = await previousLockfile(project.lockfilePath, project.root);
  const written = await writeLockfileIfChanged(project.lockfilePath, lockfile, project.root, previous?.text);
  // Not written: the previous text is this lock file's, so its model is this one (not decoded again).
  const changes = lockChanges(written ? previous?.lockfile() : lockfile, lockfile, !written);
  await inputs.repository.flush().catch(() => undefined);
  const shown = path.normalize(project.lockfilePath);
  const done = written ? `Wrote lockfile with ${repos.length} entries to ${shown}.` : `Lockfile with ${repos.length} entries at ${shown} is unchanged (not rewritten).`;
  context.reporter.step(`${done} You can now run opam monorepo pull to fetch their sources.`);
  const message = changesMessage(changes, options.verbose > 0);
  if (message !== undefined) context.reporter.step(message);
  warnUnsetMonorepo(context, project, targets, inputs);
  if (options.json) {
    const json = { ok: true, lockfile: path.resolve(project.lockfilePath), changes, packages: lockfile.depends, repositories: repos };
    context.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  }
  return 0;
}

/** mirage's `{?monorepo}` dependencies dropped because OPAMVAR_monorepo is not set: say so loudly. */
function warnUnsetMonorepo(context: CommandContext, project: Project, targets: OpamPackage[], inputs: LockInputs): void {
  const files = targets.map((pkg) => {
    const local = project.targets.find((target) => target.name === pkg.name);
    return { file: local === undefined ? `${pkg.name}.opam` : path.relative(context.cwd, local.path), depends: pkg.depends };
  });
  for (const found of unsetMonorepo(files, inputs.env)) context.reporter.warn(unsetMonorepoWarning(found, invokedAs(undefined, context.env)));
}

export function configureLockOptions(command: Command): Command {
  return command
    .option("-r, --root <dir>", "the project root (default: the current directory)")
    .option("-l, --lockfile <path>", "the lock file to write (relative to the current directory)")
    .option("--recurse-opam", "lock every local package found recursively, not only those at the root", false)
    .option("--build-only", "do not add the with-test dependencies of the target packages", false)
    .option("--allow-jbuilder", "a dependency on jbuilder also counts as building with dune", false)
    .option("--ocaml-version <version>", "force ocaml = VERSION in the solution")
    .option("--require-cross-compile", "only use versions tagged cross-compile for packages that have any", false)
    .option("--minimal-update", "prefer the versions of the existing lock file", false)
    .option("--opam-repositories <list>", "replace x-opam-monorepo-opam-repositories, e.g. '[git+https://me.com/r,file://$OPAM_MONOREPO_CWD/repo]'")
    .option("--add-opam-repositories <list>", "add to x-opam-monorepo-opam-repositories")
    .option("--global-opam-vars <list>", "replace x-opam-monorepo-global-opam-vars, e.g. '[[arch,x86_64],[os-family,debian]]'")
    .option("--add-global-opam-vars <list>", "add to x-opam-monorepo-global-opam-vars")
    .option("--opam-provided <list>", "replace x-opam-monorepo-opam-provided, e.g. '[ocamlformat,patdiff]'")
    .option("--add-opam-provided <list>", "add to x-opam-monorepo-opam-provided")
    .option("--solver-timeout <seconds>", "give up solving after this long (default: OPAM_MONOREPO_SOLVER_TIMEOUT or 60; 0 = no limit)")
    .option("--no-index-cache", "do not read or write the parsed repository index cache")
    .option("--json", "print the result (or the failure explanation) as JSON on stdout", false);
}

export const lockCommand: CommandSpec = {
  name: "lock",
  summary: "analyse opam files to generate a project-wide lock file",
  examples: [
    "opam-monorepo lock",
    "opam-monorepo lock --require-cross-compile --build-only hello-hvt -l mirage/hello-hvt.opam.locked --ocaml-version 4.14.2",
    "opam-monorepo lock --opam-repositories '[git+https://github.com/dune-universe/opam-overlays.git,https://opam.ocaml.org]'",
    "opam-monorepo lock --recurse-opam app1 app2 -l ./mirage.opam.locked",
    "opam-monorepo lock --update fmt logs      # only fmt and logs move (and what they need)",
  ],
  configure(command) {
    configureLockOptions(command.argument("[packages...]", "local packages to lock (name or name.version); naming implies --recurse-opam"));
    command.option("-u, --update <package...>", "re-lock with the lock file's recorded options, keeping every other package at its locked version where possible");
  },
  run(context, options, operands) {
    return runLock(context, options as unknown as LockOptions, operands);
  },
};
