// The built CLI bundle (scripts/bundle.mjs): the index codec's fingerprint written in at build
// time equals the one the compiled modules compute (an index written by `lock` stays valid for
// the sources that read it), and nothing in it needs Node's ES module loader.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { projectRoot } from "../helpers/real-data.js";

const dist = path.join(projectRoot(), "dist", "src");

describe("the CLI bundle", () => {
  it("carries the codec fingerprint of the compiled modules, and computes none", async () => {
    const { codecFingerprint } = (await import(pathToFileURL(path.join(dist, "repository", "codec.js")).href)) as { codecFingerprint(): string };
    const bundle = readFileSync(path.join(dist, "cli", "main.bundle.cjs"), "utf8");
    expect(codecFingerprint()).toMatch(/^[0-9a-f]{32}$/u);
    expect(bundle).toContain(`"${codecFingerprint()}"`);
    expect(bundle).not.toContain("__CODEC_FINGERPRINT__");
  });

  it("holds no import(): it runs without an ES module loader", () => {
    for (const file of ["cli/main.bundle.cjs", "cli/launch.cjs", "fetch/extract-worker.bundle.cjs"]) {
      expect(readFileSync(path.join(dist, file), "utf8"), file).not.toMatch(/\bimport\(/u);
    }
  });
});
