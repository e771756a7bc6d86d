// Every opam file of the three real snapshots parses, and printing is lossless and stable:
// parse(print(ast)) equals ast modulo positions, print(parse(print(ast))) equals print(ast).
// Skips (with the reason printed) when /work/shared/data is absent; fixtures always run.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readSnapshot, sharedDataDir, type SnapshotName } from "../../test/helpers/real-data.js";
import { equalModuloPositions, stripPositions, type OpamFile } from "./ast.js";
import { parseOpam } from "./parser.js";
import { printOpam } from "./printer.js";

const EXPECTED_FILES: Record<SnapshotName, number> = {
  "opam-repository": 18_793,
  "opam-overlays": 160,
  "mirage-opam-overlays": 3,
};

/** The problems found for one file: a parse error, a lossy print, or an unstable print. */
function roundTripProblem(text: string, file: string): string | undefined {
  let ast: OpamFile;
  try {
    ast = parseOpam(text, file);
  } catch (error) {
    return `parse: ${(error as Error).message}`;
  }
  const printed = printOpam(ast.items);
  let again: OpamFile;
  try {
    again = parseOpam(printed, file);
  } catch (error) {
    return `re-parse of printed text: ${(error as Error).message}`;
  }
  if (!equalModuloPositions(again, ast)) return "printed text parses to a different AST";
  if (printOpam(again.items) !== printed) return "printing is not stable";
  return undefined;
}

const dataDir = sharedDataDir();
if (dataDir === undefined) console.warn("roundtrip.test.ts: skipping real-data round trips: ../shared/data is absent");

describe.skipIf(dataDir === undefined)("real snapshots", () => {
  it.each(Object.entries(EXPECTED_FILES))("%s: all %i opam files parse and round-trip", (name, count) => {
    const files = readSnapshot(name as SnapshotName);
    expect(files).toHaveLength(count);
    const problems: string[] = [];
    for (const file of files) {
      const problem = roundTripProblem(file.text, file.path);
      if (problem !== undefined) problems.push(`${file.path}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });
});

describe("fixtures", () => {
  const dir = path.resolve(import.meta.dirname, "../../test/fixtures/opam-files/valid");
  it.each(readdirSync(dir).filter((f) => f.endsWith(".opam")).sort())("valid/%s round-trips", (name) => {
    expect(roundTripProblem(readFileSync(path.join(dir, name), "utf8"), name)).toBeUndefined();
  });

  it("stripPositions zeroes every position and keeps the content", () => {
    const ast = parseOpam('x: ["a" {>= "1" & !b}]\nurl { src: "u" }', "t.opam");
    const stripped = stripPositions(ast);
    expect(JSON.stringify(stripped)).not.toMatch(/"line":[1-9]/);
    expect(equalModuloPositions(stripped, ast)).toBe(true);
    expect(ast.items[0]!.pos).toEqual({ line: 1, col: 1 });
  });

  it("detects a lossy print (the check can fail)", () => {
    const ast = parseOpam('x: "a"', "t.opam");
    const other = parseOpam('x: "b"', "t.opam");
    expect(equalModuloPositions(ast, other)).toBe(false);
    expect(equalModuloPositions(ast, parseOpam('\n\n  x:   "a"', "u.opam"))).toBe(true);
  });
});
