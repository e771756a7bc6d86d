// Deterministic fuzzing of the parser and printer: seeded byte- and token-level mutations of real
// opam files (the fixtures, plus a sample of the opam-repository snapshot when present). Every
// input must either parse (and then print losslessly) or throw UserError OPAM_PARSE "file:line:col: …".
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readSnapshot, sharedDataDir } from "../../test/helpers/real-data.js";
import { UserError } from "../core/errors.js";
import { equalModuloPositions } from "./ast.js";
import { parseOpam, parseValue } from "./parser.js";
import { printOpam } from "./printer.js";

/** mulberry32: a small seeded PRNG, so every run sees the same inputs. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INJECTIONS = [
  '"', '"""', "{", "}", "[", "]", "(", ")", "(*", "*)", "#", "\r", "\n", "\r\n", "\\", "\\q", "\\r", "\\n", "\\\r\n", "\\999", "\\x4",
  "!", "?", "=", "!=", "~", ":", ":=", "=:=", "+=", "&", "|", "-", "_", "+", "%{", "}%", "\u0000", "é", "🐫",
  "true", "12_3", "-9", "opam-version:", ' "2.1" ', "url {", "x:y", "99999999999999999999",
];

function mutate(text: string, random: () => number): string {
  const at = (n = text.length) => Math.floor(random() * (n + 1));
  const span = () => Math.floor(random() * 12);
  const i = at(), j = Math.min(text.length, i + span());
  switch (Math.floor(random() * 9)) {
    case 0: return text.slice(0, i) + text.slice(j);
    case 8: {
      const eol = text.indexOf("\n", i); // inject at a line end: escapes and CRs meet newlines
      const k = eol < 0 ? i : eol;
      return text.slice(0, k) + INJECTIONS[Math.floor(random() * INJECTIONS.length)] + text.slice(k);
    }
    case 1: return text.slice(0, i) + INJECTIONS[Math.floor(random() * INJECTIONS.length)] + text.slice(i);
    case 2: return text.slice(0, i) + String.fromCharCode(Math.floor(random() * 256)) + text.slice(i);
    case 3: return text.slice(0, j) + text.slice(i, j) + text.slice(j);
    case 4: {
      const k = at(), l = Math.min(text.length, k + span());
      return i < k ? text.slice(0, i) + text.slice(k, l) + text.slice(j, k) + text.slice(i, j) + text.slice(l) : text;
    }
    case 5: return text.slice(0, at());
    default: return mutateTokens(text, random);
  }
}

/** Deletes, duplicates or swaps whole whitespace-separated words. */
function mutateTokens(text: string, random: () => number): string {
  const words = text.split(/(\s+)/);
  const pick = () => Math.floor(random() * words.length);
  const a = pick(), b = pick();
  const op = Math.floor(random() * 3);
  if (op === 0) words.splice(a, 1);
  else if (op === 1) words.splice(a, 0, words[b]!);
  else [words[a], words[b]] = [words[b]!, words[a]!];
  return words.join("");
}

type Outcome = "parsed" | "rejected";

/** Parses one input and checks the contract; returns what happened, or throws an assertion. */
function check(input: string, file: string): Outcome {
  let ast;
  try {
    ast = parseOpam(input, file);
  } catch (error) {
    if (!(error instanceof UserError) || error.code !== "OPAM_PARSE" || !/^.+:\d+:\d+: /.test(error.message)) {
      throw new Error(`bad failure for ${JSON.stringify(input)}: ${String(error)}`);
    }
    const [, line, col] = /:(\d+):(\d+): /.exec(error.message)!.map(Number);
    const lines = input.split("\n").length;
    if (line! < 1 || line! > lines || col! < 1) throw new Error(`position ${line}:${col} outside the input: ${error.message}`);
    return "rejected";
  }
  const printed = printOpam(ast.items);
  if (!equalModuloPositions(parseOpam(printed, file), ast)) throw new Error(`lossy print of ${JSON.stringify(input)}`);
  return "parsed";
}

function seedFiles(): { path: string; text: string }[] {
  const dir = path.resolve(import.meta.dirname, "../../test/fixtures/opam-files");
  const fixtures = ["valid", "invalid"].flatMap((kind) =>
    readdirSync(path.join(dir, kind)).filter((f) => f.endsWith(".opam")).map((f) => ({ path: `${kind}/${f}`, text: readFileSync(path.join(dir, kind, f), "utf8") })),
  );
  if (sharedDataDir() === undefined) {
    console.warn("fuzz.test.ts: ../shared/data is absent; fuzzing the fixtures only");
    return fixtures;
  }
  const repository = readSnapshot("opam-repository");
  const random = prng(7);
  const sample = Array.from({ length: 150 }, () => repository[Math.floor(random() * repository.length)]!);
  return [...fixtures, ...sample];
}

describe("fuzzing", () => {
  const seeds = seedFiles();

  it("every mutated file parses and prints losslessly, or fails with a positioned OPAM_PARSE error", () => {
    const random = prng(20240601);
    const counts: Record<Outcome, number> = { parsed: 0, rejected: 0 };
    for (let n = 0; n < 4000; n++) {
      const seed = seeds[n % seeds.length]!;
      let input = seed.text;
      const rounds = 1 + Math.floor(random() * 3);
      for (let r = 0; r < rounds; r++) input = mutate(input, random);
      counts[check(input, seed.path)]++;
    }
    expect(counts.parsed).toBeGreaterThan(400);
    expect(counts.rejected).toBeGreaterThan(400);
  });

  it("random byte strings and single values never escape as other exceptions", () => {
    const random = prng(99);
    for (let n = 0; n < 1000; n++) {
      const length = Math.floor(random() * 40);
      const input = Array.from({ length }, () => (random() < 0.5 ? INJECTIONS[Math.floor(random() * INJECTIONS.length)] : String.fromCharCode(Math.floor(random() * 128)))).join("");
      check(input, "random.opam");
      try {
        parseValue(input, "cli");
      } catch (error) {
        expect(error).toBeInstanceOf(UserError);
        expect((error as UserError).message).toMatch(/^cli:\d+:\d+: /);
      }
    }
  });
});
