// mirage's `-t` targets as data, and the dune context each one needs (mirage lib/devices/target.ml
// `build_context`). Pure. The context names are a contract: mirage-solo5/mirage-xen and mirage's
// generated dune files test `%{context_name}` against exactly `solo5` and `unikraft`.
import { UserError } from "../core/errors.js";
import type { ToolchainContext } from "./model.js";

export type Target =
  | "unix"
  | "macosx"
  | "hvt"
  | "spt"
  | "virtio"
  | "muen"
  | "genode"
  | "xen"
  | "qubes"
  | "unikraft-firecracker"
  | "unikraft-qemu";

/** Every target, in the order `mirage configure --help` lists them. */
export const TARGETS: readonly Target[] = [
  "unix",
  "macosx",
  "xen",
  "qubes",
  "virtio",
  "hvt",
  "muen",
  "genode",
  "spt",
  "unikraft-firecracker",
  "unikraft-qemu",
];

export function isTarget(name: string): name is Target {
  return (TARGETS as readonly string[]).includes(name);
}

/** The target named on the command line, or UNKNOWN_TARGET listing the valid ones. */
export function parseTarget(name: string): Target {
  if (isTarget(name)) return name;
  throw new UserError("UNKNOWN_TARGET", `unknown target \`${name}\`; valid targets are: ${TARGETS.join(", ")}`, {
    hint: "targets are mirage's `-t` values, e.g. `--target hvt` or `--target unix`",
  });
}

function solo5Context(target: Target): ToolchainContext {
  return {
    kind: "toolchain",
    name: "solo5",
    host: "default",
    toolchain: "solo5",
    env: undefined,
    merlin: true,
    disableDynamicForeignArchives: true,
    targets: [target],
  };
}

function unikraftContext(target: Target, backend: string): ToolchainContext {
  return {
    kind: "toolchain",
    name: "unikraft",
    host: "default",
    toolchain: "unikraft",
    env: { flags: ["-cclib", `-z unikraft-backend=${backend}`], cFlags: ["-z", `unikraft-backend=${backend}`] },
    merlin: true,
    disableDynamicForeignArchives: true,
    targets: [target],
  };
}

/** The cross context a target adds next to `default`; undefined for host targets (unix, macosx). */
export function targetContext(target: Target): ToolchainContext | undefined {
  switch (target) {
    case "unix":
    case "macosx":
      return undefined;
    case "hvt":
    case "spt":
    case "virtio":
    case "muen":
    case "genode":
    case "xen":
    case "qubes":
      return solo5Context(target);
    case "unikraft-firecracker":
      return unikraftContext(target, "firecracker");
    case "unikraft-qemu":
      return unikraftContext(target, "qemu");
  }
}
