// Unit tests of opam version ordering: the reference "tricky results" table, the manual's chain,
// and order properties (antisymmetry, transitivity) over every version of the real snapshot.
import { beforeAll, describe, expect, it } from "vitest";
import { readSnapshot, snapshotArchive } from "../../test/helpers/real-data.js";
import { formulaAtoms, type ConstraintItem, type Formula } from "./formula.js";
import { packageFromOpam } from "./package.js";
import { parseOpam } from "./parser.js";
import {
  compareVersions,
  isValidVersion,
  relopHolds,
  sortNewestFirst,
  versionSatisfiesRelop,
  versionsEqual,
} from "./version.js";

/** Every distinct version of the snapshot: directory names plus literal versions in constraints. */
function snapshotVersions(): string[] {
  const versions = new Set<string>();
  const addConstraints = (f: Formula<ConstraintItem>) => {
    for (const item of formulaAtoms(f)) if (item.kind === "constraint" && item.version.kind === "string" && !item.version.value.includes("%")) versions.add(item.version.value);
  };
  for (const file of readSnapshot("opam-repository")) {
    const [, name, dir] = file.path.split("/") as [string, string, string];
    const version = dir.slice(dir.indexOf(".") + 1);
    versions.add(version);
    const pkg = packageFromOpam(parseOpam(file.text, file.path), name, version);
    for (const formula of [pkg.depends, pkg.depopts, pkg.conflicts]) for (const a of formulaAtoms(formula)) addConstraints(a.constraint);
  }
  return [...versions];
}

const sign = (n: number) => (n < 0 ? "<" : n > 0 ? ">" : "=");

/** Independent oracle: dpkg's verrevcmp (C, weights per character) on both halves of the last-dash split. */
function dpkgOrder(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (c >= 48 && c <= 57) return 0;
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return c;
  return c === 126 ? -1 : c + 256;
}
function verrevcmp(a: string, b: string): number {
  const digit = (s: string, i: number) => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !digit(a, i)) || (j < b.length && !digit(b, j))) {
      const d = dpkgOrder(a, i) - dpkgOrder(b, j);
      if (d !== 0) return Math.sign(d);
      i++;
      j++;
    }
    while (a[i] === "0") i++;
    while (b[j] === "0") j++;
    let first = 0;
    while (digit(a, i) && digit(b, j)) {
      if (first === 0) first = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (digit(a, i)) return 1;
    if (digit(b, j)) return -1;
    if (first !== 0) return Math.sign(first);
  }
  return 0;
}
function oracle(a: string, b: string): number {
  const split = (s: string) => (s.lastIndexOf("-") < 0 ? [s, ""] : [s.slice(0, s.lastIndexOf("-")), s.slice(s.lastIndexOf("-") + 1)]);
  const [ua, ra] = split(a);
  const [ub, rb] = split(b);
  return verrevcmp(ua!, ub!) || verrevcmp(ra!, rb!);
}

describe("compareVersions: tricky results table", () => {
  const rows: [string, string, "<" | "=" | ">"][] = [
    ["1.0~beta", "1.0", "<"],
    ["1.0~", "1.0", "<"],
    ["1.0~~", "1.0~", "<"],
    ["1.0", "1.0.0", "<"],
    ["1.0", "1.", "="],
    ["1.01", "1.1", "="],
    ["01", "1", "="],
    ["5.5.0+introcaml", "5.5.0+introcaml0", "="],
    ["1.0-0", "1.0", "="],
    ["1.0-", "1.0", "="],
    ["a-b", "a+c", "<"],
    ["1.0-1", "1.0.1", "<"],
    ["1.2.3-beta", "1.2.3", ">"],
    ["1.0+dune", "1.0", ">"],
    ["1.0a", "1.0.1", "<"],
    ["1.0+1", "1.0.1", "<"],
    ["1.0_1", "1.0.1", ">"],
    ["v1.0", "2.0", ">"],
    ["dev", "1.0", ">"],
    ["zdev", "1.0", ">"],
    ["20200101", "2020.01.01", ">"],
  ];
  for (const [a, b, expected] of rows) {
    it(`${a} ${expected} ${b}`, () => {
      expect(sign(compareVersions(a, b))).toBe(expected);
      const reversed = expected === "<" ? ">" : expected === ">" ? "<" : "=";
      expect(sign(compareVersions(b, a))).toBe(reversed);
    });
  }
});

describe("compareVersions: the manual's chain", () => {
  const chain = ["~~", "~", "~beta2", "~beta10", "0.1", "1.0~beta", "1.0", "1.0-test", "1.0.1", "1.0.10", "dev", "trunk"];
  it("agrees with dpkg's verrevcmp on the table and chain", () => {
    const words = [...chain, "1.0-0", "1.0-", "a-b", "a+c", "v1.0", "1.0_1", "1.0+1", "20200101", "2020.01.01", "0~", "", "00"];
    for (const a of words) for (const b of words) expect(compareVersions(a, b), `${a} vs ${b}`).toBe(oracle(a, b));
  });
  it("orders every pair of the chain as listed", () => {
    for (let i = 0; i < chain.length; i++) {
      for (let j = 0; j < chain.length; j++) {
        expect(sign(compareVersions(chain[i]!, chain[j]!)), `${chain[i]} vs ${chain[j]}`).toBe(sign(i - j));
      }
    }
  });
  it("sortNewestFirst reverses the chain from any order", () => {
    const shuffled = [chain[5]!, chain[0]!, chain[11]!, chain[3]!, chain[8]!, chain[1]!, chain[10]!, chain[2]!, chain[9]!, chain[4]!, chain[7]!, chain[6]!];
    expect(sortNewestFirst(shuffled)).toEqual([...chain].reverse());
    expect(shuffled[0]).toBe(chain[5]); // input untouched
  });
});

describe("more edge cases", () => {
  it("splits at the last dash only", () => {
    expect(sign(compareVersions("1-2-3", "1-2-4"))).toBe("<");
    expect(sign(compareVersions("1-10", "1-9"))).toBe(">");
    expect(sign(compareVersions("1.0-a-b", "1.0-a"))).toBe(">"); // upstream 1.0-a > 1.0
  });
  it("treats trailing zeros after exhaustion as nothing, but not ~", () => {
    expect(compareVersions("1.00", "1.0")).toBe(0);
    expect(compareVersions("1.0.0~", "1.0.")).toBe(-1);
    expect(compareVersions("0~", "")).toBe(-1);
    expect(compareVersions("", "00")).toBe(0);
  });
  it("orders letters by ASCII, uppercase first", () => {
    expect(compareVersions("A", "a")).toBe(-1);
    expect(compareVersions("1.0+a", "1.0+b")).toBe(-1);
  });
  it("compares long digit runs without overflow", () => {
    expect(compareVersions("1.123456789012345678901234567890", "1.123456789012345678901234567891")).toBe(-1);
    expect(compareVersions("000000000000000000000000000001", "1")).toBe(0);
  });
  it("versionsEqual is comparison equality, not string equality", () => {
    expect(versionsEqual("1.01", "1.1")).toBe(true);
    expect(versionsEqual("1.0", "1.0.0")).toBe(false);
  });
  it("sortNewestFirst keeps the input order of equal versions", () => {
    expect(sortNewestFirst(["1.1", "2", "1.01", "0.9"])).toEqual(["2", "1.1", "1.01", "0.9"]);
    expect(sortNewestFirst(["1.01", "1.1"])).toEqual(["1.01", "1.1"]);
  });
});

describe("relops", () => {
  it("relopHolds maps comparisons", () => {
    expect([relopHolds("=", 0), relopHolds("!=", 0), relopHolds("<", -1), relopHolds("<=", 0), relopHolds(">", 1), relopHolds(">=", -1)]).toEqual([
      true,
      false,
      true,
      true,
      true,
      false,
    ]);
  });
  it("versionSatisfiesRelop uses version order", () => {
    expect(versionSatisfiesRelop("1.01", "=", "1.1")).toBe(true);
    expect(versionSatisfiesRelop("5.4.0~beta1", ">=", "5.4.0~")).toBe(true);
    expect(versionSatisfiesRelop("5.4.1", "<", "5.4.1~")).toBe(false);
    expect(versionSatisfiesRelop("5.4.0", "<", "5.4.1~")).toBe(true);
  });
  it("isValidVersion follows OpamPackage.Version.of_string", () => {
    expect(["1.0", "v0.16.0", "5.4.0~beta1", "1.0+dune", "a_b-c", "~"].every(isValidVersion)).toBe(true);
    expect(["", "1.0 ", "1/0", "1:0", "é"].some(isValidVersion)).toBe(false);
  });
});

describe("order properties on the real snapshot", () => {
  const present = snapshotArchive("opam-repository") !== undefined;
  if (!present) console.log("skipping snapshot properties: opam-repository.tar.gz is absent from the shared data directory");
  let all: string[] = [];
  beforeAll(() => {
    if (present) all = snapshotVersions();
  });
  it.skipIf(!present)("is antisymmetric and transitive on every distinct version", () => {
    console.log(`${all.length} distinct versions`);
    expect(all.length).toBeGreaterThan(2162); // 2,162 directory versions, plus constraint-only ones
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        const ab = compareVersions(all[i]!, all[j]!);
        if (ab !== -compareVersions(all[j]!, all[i]!)) throw new Error(`not antisymmetric: ${all[i]} ${all[j]}`);
        if (ab !== oracle(all[i]!, all[j]!)) throw new Error(`differs from dpkg's verrevcmp: ${all[i]} ${all[j]}`);
      }
    }
    // Transitivity: after sorting, every earlier element is <= every later one.
    const sorted = [...all].sort(compareVersions);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) {
        if (compareVersions(sorted[i]!, sorted[j]!) > 0) throw new Error(`not transitive: ${sorted[i]} > ${sorted[j]}`);
      }
    }
  });
});
