// Cold parse of a tree: the reader-thread pipeline (compiled) gives the main thread's results.
import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { opamRepo } from "../../test/helpers/opam-repo.js";
import { projectRoot } from "../../test/helpers/cli.js";
import { testdir } from "../../test/helpers/testdir.js";
import { decodeFailure } from "./codec.js";
import { MIN_NAMES_FOR_READER, parseTree, type ParsedText } from "./cold-parse.js";

// The reader worker only exists compiled (dist/), which `npm test` builds first.
const compiled = path.join(projectRoot, "dist/src/repository/reader.js");
const haveDist = existsSync(path.join(projectRoot, "dist/src/repository/read-worker.js"));
if (!haveDist) console.log("cold-parse worker test skipped: run `npm run build` first (dist/ has no read-worker.js)");

function view(parsed: ParsedText[]) {
  return parsed.map((p) => [p.name, p.version, p.stamp, p.file, p.text?.toString() ?? decodeFailure(p.failure!)]);
}

describe("cold parse of a tree", () => {
  it.skipIf(!haveDist)("gives the same results with the reader thread as on the main thread alone", async () => {
    const builder = opamRepo();
    for (let i = 0; i < MIN_NAMES_FOR_READER + 20; i++) builder.pkg(`p${i}`, "1", { depends: [`"q${i}" {>= "1"}`] });
    builder.pkg("p1", "2").pkg("broken", "1", { raw: "opam-version: [\n" });
    const dir = await builder.writeTo(path.join(await testdir(), "repo"));
    const packages = path.join(dir, "packages");
    const { parseWithReader } = (await import(pathToFileURL(compiled).href)) as typeof import("./reader.js");
    const alone = parseTree(packages, false);
    const names = [...new Set(alone.texts.map((p) => p.name))].sort();
    const readerOnly = parseWithReader(packages, names, false)!;
    const shared = parseWithReader(packages, names)!;
    expect(alone).toMatchObject({ fromReader: 0 });
    expect(alone.texts.length).toBe(MIN_NAMES_FOR_READER + 22);
    expect(readerOnly.fromReader).toBe(alone.texts.length);
    const sorted = (texts: ParsedText[]) => view(texts).sort((a, b) => `${a[0]}.${a[1]}`.localeCompare(`${b[0]}.${b[1]}`));
    expect(sorted(readerOnly.texts)).toEqual(sorted(alone.texts));
    expect(sorted(shared.texts)).toEqual(sorted(alone.texts));
    const withWorker = readerOnly;
    const p7 = alone.texts.find((p) => p.name === "p7")!;
    expect([p7.file, p7.text?.toString()]).toEqual([path.join(packages, "p7/p7.1/opam"), expect.stringContaining('"q7" {>= "1"}')]);
    const broken = decodeFailure(withWorker.texts.find((p) => p.name === "broken")!.failure!);
    expect(broken).toMatchObject({ code: "OPAM_PARSE", message: expect.stringContaining(path.join(packages, "broken/broken.1/opam")) });
  });
});
