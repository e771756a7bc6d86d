// What `lock` solves against: the repositories (explicit `x-opam-monorepo-opam-repositories`, or
// the opam root's current switch), the global variables, and the switch's pins. Opens them;
// decides nothing about the solve itself.
import { UserError } from "../core/errors.js";
import { OVERLAY_REPOSITORY_URL, toolCacheDir } from "../core/paths.js";
import type { Reporter } from "../core/reporter.js";
import type { LockProgress } from "./lock-progress.js";
import { globalEnv, hostGlobalEnv, mergeEnvs, opamVarOverrides, type Env, type EnvValue } from "../opam/env.js";
import { normaliseDevRepo } from "../opam/url.js";
import type { OpamPackage } from "../opam/package.js";
import { rewriteRepositoryOut } from "../project/config.js";
import type { Project } from "../project/project.js";
import { openRepositories, repositorySpecFromUrl } from "../repository/open.js";
import { readOpamRoot, type SwitchPin } from "../repository/opam-root.js";
import type { OpenDeps, StackedRepository } from "../repository/repository.js";

/** opam-version as a recent opam answers it, for `available: opam-version >= …` filters. */
const DEFAULT_OPAM_VERSION = "2.3.0";

export interface LockInputs {
  mode: "explicit" | "switch";
  repository: StackedRepository;
  env: Env;
  /** Explicit mode: the URLs actually used (git pinned to commits, root rewritten out). */
  repositoriesUsed: string[] | undefined;
  /** Whether opam-overlays is among the repositories (for the non-dune hint). */
  overlayConfigured: boolean;
  /** Switch pins, fixed at their pinned version. */
  switchPins: OpamPackage[];
}

export interface LockInputOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  reporter: Reporter;
  indexCache: boolean;
  progress?: LockProgress;
}

const NO_REPOSITORIES_HINT =
  "list them in the opam file (x-opam-monorepo-opam-repositories: [\"git+https://github.com/ocaml/opam-repository.git\"]), " +
  "pass --opam-repositories '[URL,…]', or run `opam init` so that the current switch's repositories can be used";

/**
 * The dune-universe overlays: their git URL, or a copy of them given as a directory or an archive
 * (`file:///srv/opam-overlays`, `opam-overlays.tar.gz`; named so by convention).
 */
export function isOverlay(url: string): boolean {
  const base = url.replace(/[#?].*$/, "").replace(/\/+$/, "").split("/").pop() ?? "";
  if (/opam-overlays/.test(base.replace(/\.(tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar|zip|git)$/, ""))) return true;
  try {
    return normaliseDevRepo(url) === normaliseDevRepo(OVERLAY_REPOSITORY_URL);
  } catch {
    return false;
  }
}

function openDeps(options: LockInputOptions): OpenDeps {
  return { cacheDir: toolCacheDir(options.env), reporter: options.reporter, indexCache: options.indexCache, env: options.env, onProgress: options.progress?.onOpen };
}

function globalVariablesEnv(variables: ReadonlyMap<string, EnvValue>): Env {
  return globalEnv(Object.fromEntries(variables));
}

async function explicitInputs(project: Project, urls: string[], options: LockInputOptions): Promise<LockInputs> {
  const specs = urls.map((url) => repositorySpecFromUrl(url, project.root));
  options.progress?.repositories(specs.length);
  const repository = await openRepositories(specs, openDeps(options));
  const overrides = opamVarOverrides(options.env);
  const vars = project.config.globalVars;
  const env =
    vars === undefined
      ? mergeEnvs(overrides, await hostGlobalEnv(options.env), globalEnv({ "opam-version": DEFAULT_OPAM_VERSION }))
      : mergeEnvs(overrides, globalVariablesEnv(vars));
  return {
    mode: "explicit",
    repository,
    env,
    repositoriesUsed: repository.members.map((member) => rewriteRepositoryOut(member.url, project.root)),
    overlayConfigured: urls.some(isOverlay),
    switchPins: [],
  };
}

/**
 * The switch's pins, fixed at their pinned version: the overlay opam file when opam wrote one,
 * else the repositories' opam file of that version (as opam does for a plain version pin).
 */
function pinnedPackages(pins: readonly SwitchPin[], repository: StackedRepository, reporter: Reporter): OpamPackage[] {
  return pins.flatMap((pin) => {
    const opam = pin.opam ?? repository.readOpam(pin.name, pin.version);
    if (opam !== undefined) return [opam];
    reporter.warn(`the switch pins ${pin.name}.${pin.version}, but neither the switch overlay nor any repository has its opam file; the pin is ignored`);
    return [];
  });
}

async function switchInputs(options: LockInputOptions): Promise<LockInputs> {
  let info;
  try {
    info = readOpamRoot({ env: options.env, cwd: options.cwd });
  } catch (error) {
    if (error instanceof UserError && error.code === "OPAM_ROOT") {
      throw new UserError("OPAM_ROOT", `no repositories to solve against: ${error.message}`, { hint: NO_REPOSITORIES_HINT, cause: error });
    }
    throw error;
  }
  options.progress?.repositories(info.repositories.length);
  const repository = await openRepositories(
    info.repositories.map((repo) => repo.spec),
    openDeps(options),
  );
  const env = mergeEnvs(
    opamVarOverrides(options.env),
    globalVariablesEnv(info.config.globalVariables),
    await hostGlobalEnv(options.env),
    globalEnv({ "opam-version": DEFAULT_OPAM_VERSION }),
  );
  const switchPins = pinnedPackages(info.switch.pins, repository, options.reporter);
  return {
    mode: "switch",
    repository,
    env,
    repositoriesUsed: undefined,
    overlayConfigured: info.repositories.some((repo) => repo.url !== undefined && isOverlay(repo.url)),
    switchPins,
  };
}

/** Explicit repositories when configured, else the opam root's current switch. */
export function openLockInputs(project: Project, options: LockInputOptions): Promise<LockInputs> {
  const urls = project.config.repositories;
  if (urls !== undefined) return explicitInputs(project, urls, options);
  return switchInputs(options);
}
