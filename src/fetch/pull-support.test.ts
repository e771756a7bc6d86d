// Partial-pull selection and the single error that lists every failure.
import { expect, test } from "vitest";
import { UserError } from "../core/errors.js";
import { failureError, selectRepos } from "./pull-support.js";

const repo = (dir: string) => ({ dir, url: `https://x/${dir}.tbz`, hashes: [`sha256=${"a".repeat(64)}`] });

test("selectRepos keeps lock order and names every unknown directory", () => {
  const repos = [repo("a"), repo("b"), repo("c")];
  expect(selectRepos(repos, undefined).map((r) => r.dir)).toEqual(["a", "b", "c"]);
  expect(selectRepos(repos, ["c", "a"]).map((r) => r.dir)).toEqual(["a", "c"]);
  expect(() => selectRepos(repos, ["a", "x", "y"])).toThrow("The following repos are not in your duniverse: x y");
});

test("failureError: one failure keeps its code; several list each; offline misses are listed together", () => {
  const one = failureError([{ repo: repo("a"), error: new UserError("CHECKSUM_MISMATCH", "Checksum mismatch for https://x/a.tbz") }], 3);
  expect([one.code, one.message]).toEqual(["CHECKSUM_MISMATCH", "Failed to pull duniverse/a: Checksum mismatch for https://x/a.tbz"]);
  const two = failureError([
    { repo: repo("a"), error: new UserError("CHECKSUM_MISMATCH", "bad sum") },
    { repo: repo("b"), error: new UserError("DOWNLOAD_FAILED", "HTTP 404") },
  ], 3);
  expect(two.code).toBe("DOWNLOAD_FAILED");
  expect(two.message).toBe("Failed to pull 2 of 3 repositories:\n  duniverse/a: bad sum\n  duniverse/b: HTTP 404");
  const offline = failureError([repo("a"), repo("b")].map((r) => ({ repo: r, error: new UserError("OFFLINE_MISS", "miss") })), 2);
  expect(offline.code).toBe("OFFLINE_MISS");
  expect(offline.message).toContain(`  duniverse/b: https://x/b.tbz (sha256=${"a".repeat(64)})`);
});
