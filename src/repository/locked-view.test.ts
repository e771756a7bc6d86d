// The locked view `why` solves over: only each locked name's locked version (compare-equal
// spellings match), nothing for other names; reading and providers go to the repository.
import { describe, expect, it } from "vitest";
import path from "node:path";
import { opamRepo } from "../../test/helpers/opam-repo.js";
import { testdir } from "../../test/helpers/testdir.js";
import { openDirectory } from "./directory.js";
import { lockedView } from "./locked-view.js";
import { stackRepositories } from "./stack.js";

describe("locked view", () => {
  it("offers the locked versions only", async () => {
    const dir = await testdir();
    await opamRepo().pkg("a", "1.0").pkg("a", "2.0").pkg("b", "1.01").pkg("c", "1").writeTo(path.join(dir, "repo"));
    const stack = stackRepositories([await openDirectory({ path: path.join(dir, "repo") }, { cacheDir: path.join(dir, "cache") })]);
    const view = lockedView(stack, new Map([["a", "1.0"], ["b", "1.1"]]));
    expect(view.versions("a")).toEqual(["1.0"]);
    expect(view.versions("b")).toEqual(["1.01"]);
    expect(view.versions("c")).toEqual([]);
    expect(view.packageNames()).toEqual(["a", "b"]);
    expect(view.readOpam("a", "2.0")?.version).toBe("2.0");
    expect(view.providerOf("a", "1.0")).toBe(stack.providerOf("a", "1.0"));
  });
});
