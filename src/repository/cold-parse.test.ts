import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { opamRepo } from "../../test/helpers/opam-repo.js";
import { projectRoot } from "../../test/helpers/cli.js";
import { testdir } from "../../test/helpers/testdir.js";
import { decodeEntry } from "./codec.js";
import { MIN_NAMES_FOR_WORKER, parseTree, type ParsedText } from "./cold-parse.js";

// The reader worker only exists compiled (dist/), which `npm test` builds first.
const compiled = path.join(projectRoot, "dist/src/repository/cold-parse.js");
const haveDist = existsSync(path.join(projectRoot, "dist/src/repository/read-worker.js"));
if (!haveDist) console.log("cold-parse worker test skipped: run `npm run build` first (dist/ has no read-worker.js)");

function view(parsed: ParsedText[]) {
  return parsed.map((p) => [p.name, p.version, p.stamp, decodeEntry(p.blob)]);
}

describe("cold parse of a tree", () => {
  it.skipIf(!haveDist)("gives the same results with the reader worker as on the main thread alone", async () => {
    const builder = opamRepo();
    for (let i = 0; i < MIN_NAMES_FOR_WORKER + 20; i++) builder.pkg(`p${i}`, "1", { depends: [`"q${i}" {>= "1"}`] });
    builder.pkg("p1", "2").pkg("broken", "1", { raw: "opam-version: [\n" });
    const dir = await builder.writeTo(path.join(await testdir(), "repo"));
    const packages = path.join(dir, "packages");
    const { parseTree: compiledParseTree } = (await import(pathToFileURL(compiled).href)) as { parseTree: typeof parseTree };
    const alone = parseTree(packages, false);
    const withWorker = compiledParseTree(packages, true);
    expect(alone).toMatchObject({ fromReader: 0 });
    expect(alone.texts.length).toBe(MIN_NAMES_FOR_WORKER + 22);
    expect(withWorker.fromReader).toBe(alone.texts.length);
    expect(view(withWorker.texts)).toEqual(view(alone.texts));
    const broken = decodeEntry(withWorker.texts.find((p) => p.name === "broken")!.blob);
    expect(broken).toMatchObject({ code: "OPAM_PARSE", message: expect.stringContaining(path.join(packages, "broken/broken.1/opam")) });
  });
});
