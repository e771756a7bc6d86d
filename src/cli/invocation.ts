// The command the user typed, for messages that tell them what to run next: `opam monorepo` when
// opam ran us as its plugin, `opam-monorepo` otherwise. Pure (reads the arguments it is given).
import path from "node:path";

export const DIRECT = "opam-monorepo";
export const PLUGIN = "opam monorepo";

/**
 * opam runs a plugin either from `<root>/plugins/bin/opam-NAME` or from PATH, and in both cases
 * with the switch environment it computes for plugins: OPAMROOT and OPAMSWITCH set, and
 * OPAMNOENVNOTICE=true (opamCliMain.ml). A shell after `eval $(opam env)` has neither OPAMROOT nor
 * OPAMNOENVNOTICE set.
 */
export function invokedAs(script: string = process.argv[1] ?? "", env: NodeJS.ProcessEnv = process.env): string {
  const dir = path.dirname(script);
  if (path.basename(dir) === "bin" && path.basename(path.dirname(dir)) === "plugins") return PLUGIN;
  const set = (name: string) => env[name] !== undefined && env[name] !== "";
  if (set("OPAMROOT") && set("OPAMSWITCH") && set("OPAMNOENVNOTICE")) return PLUGIN;
  return DIRECT;
}
