// What changed between two lock files' packages, as `lock --update` reports it.
import { describe, expect, it } from "vitest";
import { changeText, lockChanges } from "./lock-update.js";

const dep = (name: string, version: string) => ({ name, version, vendored: true });

describe("lock changes", () => {
  it("lists updated, added and removed packages by name", () => {
    const changes = lockChanges([dep("a", "1"), dep("b", "1"), dep("c", "1")], [dep("a", "2"), dep("c", "1"), dep("d", "0.1")]);
    expect(changes).toEqual([
      { kind: "updated", name: "a", from: "1", to: "2" },
      { kind: "removed", name: "b", from: "1" },
      { kind: "added", name: "d", to: "0.1" },
    ]);
    expect(changes.map(changeText)).toEqual(["Updated a 1 -> 2", "Removed b 1", "Added d 0.1"]);
    expect(lockChanges([dep("a", "1")], [dep("a", "1")])).toEqual([]);
  });
});
