// Pure planning of a dune-workspace from `--target` and `--context NAME --toolchain T` requests.
// Decisions: targets sharing a context produce it once, in first-mention order; `(merlin)` goes to
// the first target context only (dune allows one); two unikraft backends are refused (see below).
import { UserError } from "../core/errors.js";
import { DUNE_LANG_VERSION, type CustomContext, type DuneWorkspace, type ToolchainContext } from "./model.js";
import { parseTarget, targetContext, type Target } from "./targets.js";

/** Names dune rejects for a context, or that `default` already has. */
const RESERVED_NAMES = new Set(["default", "log", "install"]);
const NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;

function sameSettings(a: ToolchainContext, b: ToolchainContext): boolean {
  return a.toolchain === b.toolchain && a.host === b.host && JSON.stringify(a.env) === JSON.stringify(b.env);
}

function contextConflict(existing: ToolchainContext, target: Target): UserError {
  return new UserError(
    "BAD_ARGUMENT",
    `targets ${existing.targets.map((t) => `\`${t}\``).join(", ")} and \`${target}\` both need the dune context ` +
      `\`${existing.name}\`, with different flags; mirage's dune files only build a unikernel in a context named ` +
      `exactly \`${existing.name}\`, so one workspace cannot hold both`,
    { hint: `generate a separate workspace (another --root) for each of these targets` },
  );
}

function addTarget(contexts: ToolchainContext[], target: Target): void {
  const wanted = targetContext(target);
  if (wanted === undefined) return;
  const existing = contexts.find((context) => context.name === wanted.name);
  if (existing === undefined) {
    contexts.push(wanted);
    return;
  }
  if (!sameSettings(existing, wanted)) throw contextConflict(existing, target);
  if (!existing.targets.includes(target)) existing.targets.push(target);
}

function checkName(what: string, value: string): void {
  if (!NAME_PATTERN.test(value) || value === "." || value === "..") {
    throw new UserError("BAD_ARGUMENT", `invalid ${what} \`${value}\`: use letters, digits, \`_\`, \`-\`, \`.\` or \`+\``);
  }
}

function customContext(request: CustomContext, taken: readonly ToolchainContext[]): ToolchainContext {
  checkName("context name", request.name);
  checkName("toolchain", request.toolchain);
  if (RESERVED_NAMES.has(request.name)) {
    throw new UserError("BAD_ARGUMENT", `\`${request.name}\` cannot be the name of a --context: dune reserves it`);
  }
  const clash = taken.find((context) => context.name === request.name);
  if (clash !== undefined) {
    const owner = clash.targets.length > 0 ? `target ${clash.targets.join(", ")}` : "another --context";
    throw new UserError("BAD_ARGUMENT", `the dune context \`${request.name}\` is already defined by ${owner}`, {
      hint: "give the --context another name",
    });
  }
  return {
    kind: "toolchain",
    name: request.name,
    host: "default",
    toolchain: request.toolchain,
    env: undefined,
    merlin: false,
    disableDynamicForeignArchives: false,
    targets: [],
  };
}

/**
 * The workspace for `--target` values (mirage's `-t` names) and custom findlib-toolchain contexts.
 * No targets and no contexts gives the host-only workspace, as for `unix`.
 */
export function planWorkspace(targets: readonly string[], custom: readonly CustomContext[] = []): DuneWorkspace {
  const contexts: ToolchainContext[] = [];
  for (const name of targets) addTarget(contexts, parseTarget(name));
  contexts.forEach((context, index) => (context.merlin = index === 0));
  for (const request of custom) contexts.push(customContext(request, contexts));
  return { lang: DUNE_LANG_VERSION, contexts: [{ kind: "default" }, ...contexts] };
}
