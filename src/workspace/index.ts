// The workspace stage's public API, for the `workspace` command: plan (pure), render (pure),
// write (atomic, never over a file we did not generate unless forced).
export type { ContextEnv, CustomContext, DuneContext, DuneWorkspace, ToolchainContext } from "./model.js";
export { DUNE_LANG_VERSION, contextName } from "./model.js";
export { TARGETS, isTarget, parseTarget, targetContext, type Target } from "./targets.js";
export { planWorkspace } from "./plan.js";
export { renderWorkspace, TRAILER_PREFIX } from "./render.js";
export { WORKSPACE_FILE, generatedBy, planWrite, writeWorkspace } from "./emit.js";
export type { ExistingWorkspace, WriteAction, WriteOptions, WriteResult } from "./emit.js";
