// Names and places the whole tool agrees on: the duniverse directory, lock file naming,
// the opam root and the cache directories (XDG_CACHE_HOME, OPAMROOT, overrides).
import os from "node:os";
import path from "node:path";

export const PROGRAM = "opam-monorepo";
export const DUNIVERSE_DIR = "duniverse";
export const LOCKFILE_EXTENSION = ".opam.locked";
export const LOCKFILE_VERSION = "0.3";
export const OVERLAY_REPOSITORY_URL = "git+https://github.com/dune-universe/opam-overlays.git";

export function opamRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.OPAMROOT && env.OPAMROOT !== "" ? path.resolve(env.OPAMROOT) : path.join(os.homedir(), ".opam");
}

/** `$XDG_CACHE_HOME/opam-monorepo` (default `~/.cache/opam-monorepo`). */
export function toolCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME !== "" ? env.XDG_CACHE_HOME : path.join(os.homedir(), ".cache");
  return path.join(path.resolve(base), "opam-monorepo");
}
