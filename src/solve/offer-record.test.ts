// Records of versions: what a record keeps of a package under an environment, and when a stored
// one no longer holds (another flag variant, or a global variable its filters read answering
// differently); a record source judges a version once and reuses what its store gives back.
import { describe, expect, it } from "vitest";
import { globalEnv } from "../opam/env.js";
import { packageFromOpam } from "../opam/package.js";
import { parseOpam } from "../opam/parser.js";
import type { DerivedStore } from "../repository/repository.js";
import { recordFlags, recordHolds, recordOf, recordSource } from "./offer-record.js";
import { decodeRecord, encodeRecord } from "./record-codec.js";

const OPAM = `opam-version: "2.0"
depends: [ "dune" "b" {os = "linux" & >= "1"} "c" {with-test} ]
conflicts: [ "d" {arch = "arm64"} ]
available: os-family != "windows"
url { src: "https://x.com/a.tbz" checksum: "sha256=${"1".repeat(64)}" }
dev-repo: "git+https://github.com/x/a"
build: ["dune" "build"]
`;
const pkg = packageFromOpam(parseOpam(OPAM, "a.opam"), "a", "1");
const linux = globalEnv({ os: "linux", "os-family": "debian", arch: "x86_64" });

describe("recordOf", () => {
  it("keeps the judgement, the filtered formulas and each global variable read with its answer", () => {
    const record = recordOf(pkg, linux, recordFlags(false, false));
    expect(record).toMatchObject({ flags: 0, available: true, safe: false, dune: true, jbuilder: false, crossCompileTag: false, avoided: false });
    expect(record.source).toEqual({ devRepo: "github.com/x/a", checksums: [`sha256=${"1".repeat(64)}`] });
    expect(JSON.stringify(record.depends)).toContain('"name":"b"');
    expect(JSON.stringify(record.depends)).not.toContain('"name":"c"');
    expect(record.conflicts).toEqual([]);
    expect(record.reads.map(([variable]) => variable).sort()).toEqual(["arch", "os", "os-family"]);
    expect(recordOf(pkg, linux, recordFlags(true, false)).depends).toMatchObject({ kind: "and" });
    expect(JSON.stringify(recordOf(pkg, linux, recordFlags(true, false)).depends)).toContain('"name":"c"');
  });

  it("holds only under the same flags and the same answers", () => {
    const record = JSON.parse(JSON.stringify(recordOf(pkg, linux, 0))) as ReturnType<typeof recordOf>;
    expect(recordHolds(record, 0, linux)).toBe(true);
    expect(recordHolds(record, 2, linux)).toBe(false);
    expect(recordHolds(record, 0, globalEnv({ os: "macos", "os-family": "debian", arch: "x86_64" }))).toBe(false);
    expect(recordHolds(record, 0, globalEnv({ os: "linux", "os-family": "debian", arch: "arm64" }))).toBe(false);
    // A variable no filter reads may change freely.
    expect(recordHolds(record, 0, globalEnv({ os: "linux", "os-family": "debian", arch: "x86_64", jobs: "8" }))).toBe(true);
  });
});

describe("recordSource", () => {
  it("stores what it judges and reuses it while it holds; an unreadable version has none", () => {
    const values = new Map<string, string>();
    const store: DerivedStore = { get: (n, v) => values.get(`${n}@${v}`), set: (n, v, value) => void values.set(`${n}@${v}`, value) };
    const reads: string[] = [];
    const repository = { readOpam: (name: string, version: string) => (reads.push(`${name}@${version}`), version === "1" ? pkg : undefined) };
    const options = { repository, env: linux, withTest: new Set<string>(), devVersionsOnly: false, store };
    const first = recordSource(options).of("a", "1");
    expect(recordSource(options).of("a", "1")).toEqual(first);
    expect(reads).toEqual(["a@1"]);
    expect(recordSource({ ...options, env: globalEnv({ os: "macos", "os-family": "macos", arch: "x86_64" }) }).of("a", "1")?.depends).not.toEqual(first?.depends);
    expect(reads).toEqual(["a@1", "a@1"]);
    expect(recordSource(options).of("a", "2")).toBeUndefined();
    values.set("a@1", "{not json");
    expect(recordSource(options).of("a", "1")).toEqual(first);
  });
});

describe("record codec", () => {
  it("gives back the record, formulas in their exact shape", () => {
    const record = recordOf(pkg, linux, recordFlags(true, false));
    record.conflicts = [{ name: "d", versions: { kind: "or", items: [{ kind: "atom", atom: { op: "<", version: "1" } }, { kind: "atom", atom: { op: ">=", version: "2" } }] } }];
    expect(decodeRecord(encodeRecord(record))).toEqual(record);
    const unavailable = recordOf(pkg, globalEnv({ "os-family": "windows" }), 0);
    expect(unavailable.depends).toBeUndefined();
    expect(decodeRecord(encodeRecord(unavailable))).toEqual(unavailable);
    expect(encodeRecord(record).length).toBeLessThan(JSON.stringify(record).length / 2);
    expect([decodeRecord("{not json"), decodeRecord("[1,2]"), decodeRecord(undefined)]).toEqual([undefined, undefined, undefined]);
    // Shapes no encoder writes: judged again, never a crash.
    for (const bad of ['[0,{},0,0,null,null,null]', '[0,[],0,0,{"|":3},null,null]', '[0,[],0,0,[1],null,null]', '[0,[],0,0,["a",[">="]],null,null]', '[0,[],0,0,null,[7],null]', '[0,[],0,5,null,null,null]', '[0,[],0,0,null,null,"x"]', '[0,[[1,"",null]],0,0,null,null,null]']) {
      expect(decodeRecord(bad)).toBeUndefined();
    }
  });
});
