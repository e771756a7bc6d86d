// Golden files shared by tests: expected outputs copied verbatim from the reference (e.g. the
// §2.3 lock file of opam-monorepo's simple-lock cram test).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const goldenDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/golden");

export function readGolden(name: string): string {
  return readFileSync(path.join(goldenDir, name), "utf8");
}

/** opam-monorepo-behaviour.md §2.3: `simple-lock.opam.locked`, verbatim. */
export const SIMPLE_LOCK = readGolden("simple-lock.opam.locked");
