// The dune-workspace as data: the dune language version and the build contexts, in file order.
// Pure types; targets.ts builds them, render.ts prints them, emit.ts writes them.

/** The `(lang dune …)` mirage ≥ 4.5 writes, and that dune ≥ 2.9 reads. */
export const DUNE_LANG_VERSION = "2.9";

export interface DuneWorkspace {
  lang: string;
  /** `default` first, then cross contexts; names are unique. */
  contexts: DuneContext[];
}

export type DuneContext = DefaultContext | ToolchainContext;

/** `(context (default))`: the host compiler. */
export interface DefaultContext {
  kind: "default";
}

/** Flags added on top of `:standard` in every build profile (`(env (_ …))`). */
export interface ContextEnv {
  flags: string[];
  cFlags: string[];
}

/** A findlib-toolchain cross context: `(context (default (name …) (host default) (toolchain …) …))`. */
export interface ToolchainContext {
  kind: "toolchain";
  /** The dune context name (`%{context_name}`); mirage's dune files expect `solo5`/`unikraft`. */
  name: string;
  /** The context that builds ppx rewriters and build-time generators. */
  host: string;
  /** The findlib toolchain, `<switch>/lib/findlib.conf.d/<toolchain>.conf`. */
  toolchain: string;
  env: ContextEnv | undefined;
  /** `(merlin)`: editors use this context. dune allows it on one context only. */
  merlin: boolean;
  /** `(disable_dynamically_linked_foreign_archives true)`: no `.so` C stubs. */
  disableDynamicForeignArchives: boolean;
  /** The `--target` values that asked for this context, in command-line order ([] for `--context`). */
  targets: string[];
}

/** A `--context NAME --toolchain T` request. */
export interface CustomContext {
  name: string;
  toolchain: string;
}

export function contextName(context: DuneContext): string {
  return context.kind === "default" ? "default" : context.name;
}
