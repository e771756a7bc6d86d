// The `pin-depends` of all local opam files, combined and de-duplicated (opam-monorepo
// lib/pin_depends.ml `sort_uniq`), with the reference's conflict errors. Pure.
import { UserError } from "../core/errors.js";
import { findField, type OpamFile, type Value } from "../opam/ast.js";
import { expectString, unexpectedValue } from "../opam/values.js";
import { splitPackageId } from "./package-name.js";
import { compareOpamNames } from "../opam/names.js";

export interface PinDependEntry {
  name: string;
  version: string;
  url: string;
}

export function pinId(pin: PinDependEntry): string {
  return `${pin.name}.${pin.version}`;
}

function pinOfValue(file: string, value: Value): PinDependEntry {
  if (value.kind !== "list" || value.items.length !== 2) {
    throw unexpectedValue(file, value, 'a list [ "package.version" "url" ]');
  }
  const id = expectString(file, value.items[0]!);
  const url = expectString(file, value.items[1]!);
  const { name, version } = splitPackageId(id);
  if (version === undefined || version === "") throw unexpectedValue(file, value.items[0]!, 'a package "name.version"');
  return { name, version, url };
}

/** The `pin-depends:` entries of one opam file (a single `["p.v" "url"]` is accepted too). */
export function pinDependsOf(opam: OpamFile): PinDependEntry[] {
  const field = findField(opam.items, "pin-depends");
  if (field === undefined) return [];
  const value = field.value;
  if (value.kind !== "list") throw unexpectedValue(opam.file, value, "a list");
  if (value.items.length === 2 && value.items[0]!.kind === "string") return [pinOfValue(opam.file, value)];
  return value.items.map((item) => pinOfValue(opam.file, item));
}

/**
 * One entry per package name, sorted by name: identical entries are merged, and the same
 * package pinned to another version or URL is an error (the reference's exact message).
 */
export function sortUniqPins(pins: readonly PinDependEntry[]): PinDependEntry[] {
  const byName = new Map<string, PinDependEntry>();
  for (const pin of pins) {
    const known = byName.get(pin.name);
    if (known === undefined) byName.set(pin.name, pin);
    else if (known.version !== pin.version || known.url !== pin.url) {
      throw new UserError(
        "PIN_CONFLICT",
        `Package ${pin.name} is pinned to different versions/url:\n  - ${pinId(pin)}: ${pin.url}\n  - ${pinId(known)}: ${known.url}`,
      );
    }
  }
  return [...byName.values()].sort((a, b) => compareOpamNames(a.name, b.name));
}

export const LOCAL_PIN_MESSAGE = "You have a locally defined package in a pin-depends field of another locally defined package";

/** The pins of every local opam file; a pinned local package is an error. */
export function collectPinDepends(localOpamFiles: readonly OpamFile[], localNames: ReadonlySet<string>): PinDependEntry[] {
  const pins = sortUniqPins(localOpamFiles.flatMap(pinDependsOf));
  const local = pins.find((pin) => localNames.has(pin.name));
  if (local !== undefined) throw new UserError("PIN_CONFLICT", LOCAL_PIN_MESSAGE, { hint: `${pinId(local)} is pinned to ${local.url}` });
  return pins;
}

/** Pins grouped by URL (each distinct URL is fetched once), URLs in first-seen order. */
export function groupPinsByUrl(pins: readonly PinDependEntry[]): Map<string, PinDependEntry[]> {
  const groups = new Map<string, PinDependEntry[]>();
  for (const pin of pins) groups.set(pin.url, [...(groups.get(pin.url) ?? []), pin]);
  return groups;
}
