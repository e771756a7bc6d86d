// Unit tests of the plugin-mode detection used to name the command in hints.
import { describe, expect, it } from "vitest";
import { invokedAs } from "./invocation.js";

describe("invokedAs", () => {
  it("opam's plugin directory, or the environment opam gives plugins, means `opam monorepo`", () => {
    expect(invokedAs("/home/u/.opam/plugins/bin/opam-monorepo", {})).toBe("opam monorepo");
    expect(invokedAs("/usr/local/bin/opam-monorepo", { OPAMROOT: "/r", OPAMSWITCH: "default", OPAMNOENVNOTICE: "true" })).toBe("opam monorepo");
  });
  it("anything else is `opam-monorepo` (an `eval $(opam env)` shell included)", () => {
    expect(invokedAs("/usr/local/bin/opam-monorepo", {})).toBe("opam-monorepo");
    expect(invokedAs("/usr/local/bin/opam-monorepo", { OPAM_SWITCH_PREFIX: "/r/default", OPAMSWITCH: "default" })).toBe("opam-monorepo");
  });
});
