// `sbom` on the bundled example: CycloneDX 1.6 valid against the official schema (and an invalid
// one rejected), licences, hashes, references and the graph; SPDX 2.3; the same bytes for the same
// lock with SOURCE_DATE_EPOCH; -o writes the file; a bad SOURCE_DATE_EPOCH is refused.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { cyclonedxValidator, schemaErrors, spdxProblems } from "../helpers/sbom-schemas.js";
import { copyFixtures, removeTempDirs, show } from "./plugin-world.js";

let cli: (args: string[], env?: NodeJS.ProcessEnv) => Promise<CliResult>;
let example: string;
const EPOCH = { SOURCE_DATE_EPOCH: "1700000000" };

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("sbom", () => {
  beforeAll(async () => {
    const copy = await copyFixtures("om-sbom-");
    example = copy.example;
    cli = (args, env = {}) => runCli(args, { cwd: copy.example, home: copy.dir, env });
    const lock = await cli(["lock", "--ocaml-version", "4.13.1"]);
    expect(lock.code, show(lock)).toBe(0);
  }, 60_000);
  afterAll(removeTempDirs);

  it("writes a CycloneDX 1.6 document the official schema accepts", async () => {
    const result = await cli(["sbom"], EPOCH);
    expect(result, show(result)).toMatchObject({ code: 0, stderr: "" });
    const bom = JSON.parse(result.stdout) as Doc;
    expect(schemaErrors(cyclonedxValidator(), bom)).toEqual([]);
    expect(bom).toMatchObject({ bomFormat: "CycloneDX", specVersion: "1.6", version: 1 });
    expect(bom.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(bom.metadata).toMatchObject({
      timestamp: "2023-11-14T22:13:20Z",
      tools: { components: [{ type: "application", name: "opam-monorepo" }] },
      component: { name: "hello", version: "zdev", purl: "pkg:opam/hello@zdev", licenses: [{ license: { id: "ISC" } }] },
    });
    const byName = new Map((bom.components as Doc[]).map((c) => [c.name, c]));
    expect([...byName.keys()]).toEqual(["base-bigarray", "base-threads", "base-unix", "dune", "greet", "ocaml", "ocaml-base-compiler", "ocaml-config", "ocaml-options-vanilla", "shout", "shout-utils"]);
    expect(byName.get("greet")).toMatchObject({
      purl: "pkg:opam/greet@1.0",
      licenses: [{ expression: "LGPL-2.1-only WITH OCaml-LGPL-linking-exception" }],
      hashes: [
        { alg: "SHA-256", content: "3d6110c46335dec7948ac80152609a9cb66f74a04382d0324c60319e51e4a92e" },
        { alg: "MD5", content: "2ee5e08c6cb11ab9c9b2296c63301a2e" },
      ],
      externalReferences: [
        { type: "distribution", url: "https://example.org/greet/releases/greet-1.0.tbz" },
        { type: "vcs", url: "git+https://example.org/greet.git" },
        { type: "website", url: "https://example.org/greet" },
      ],
    });
    expect(byName.get("shout")!.licenses).toEqual([{ license: { id: "MIT" } }]);
    expect(byName.get("shout-utils")!.licenses).toEqual([{ license: { name: "BSD" } }]);
    expect(byName.get("shout-utils")!.hashes.map((h: Doc) => h.alg)).toEqual(["SHA-512", "SHA-256"]);
    const shout = (bom.dependencies as Doc[]).find((d) => d.ref === "pkg:opam/shout@2.1");
    expect(shout!.dependsOn).toEqual(["pkg:opam/dune@3.6.2", "pkg:opam/greet@1.0", "pkg:opam/ocaml@4.13.1", "pkg:opam/shout-utils@2.1"]);
  });

  it("is rejected by the schema when broken (the validator can fail)", async () => {
    const bom = JSON.parse((await cli(["sbom"], EPOCH)).stdout) as Doc;
    bom.components[0].hashes = [{ alg: "SHA-256", content: "not-hex" }];
    bom.components[1].licenses = [{ license: { id: "NOT-A-LICENCE" } }];
    const errors = schemaErrors(cyclonedxValidator(), bom);
    expect(errors.join("\n")).toMatch(/\/components\/0\/hashes\/0\/content/);
    expect(errors.join("\n")).toMatch(/\/components\/1\/licenses\/0/);
  });

  it("writes SPDX 2.3 with declared licences, checksums, purls and DEPENDS_ON", async () => {
    const result = await cli(["sbom", "--format", "spdx"], EPOCH);
    expect(result.code, show(result)).toBe(0);
    const doc = JSON.parse(result.stdout) as Doc;
    expect(spdxProblems(doc)).toEqual([]);
    expect(doc.creationInfo).toEqual({ created: "2023-11-14T22:13:20Z", creators: [expect.stringMatching(/^Tool: opam-monorepo-\d/)] });
    const greet = (doc.packages as Doc[]).find((p) => p.name === "greet")!;
    expect(greet).toMatchObject({
      SPDXID: "SPDXRef-Package-greet",
      versionInfo: "1.0",
      downloadLocation: "https://example.org/greet/releases/greet-1.0.tbz",
      licenseDeclared: "LGPL-2.1-only WITH OCaml-LGPL-linking-exception",
      checksums: [
        { algorithm: "SHA256", checksumValue: "3d6110c46335dec7948ac80152609a9cb66f74a04382d0324c60319e51e4a92e" },
        { algorithm: "MD5", checksumValue: "2ee5e08c6cb11ab9c9b2296c63301a2e" },
      ],
    });
    expect((doc.packages as Doc[]).find((p) => p.name === "shout-utils")!.licenseDeclared).toBe("LicenseRef-BSD");
    expect(doc.hasExtractedLicensingInfos).toEqual([{ licenseId: "LicenseRef-BSD", name: "BSD", extractedText: "BSD" }]);
    expect(doc.relationships).toContainEqual({ spdxElementId: "SPDXRef-DOCUMENT", relationshipType: "DESCRIBES", relatedSpdxElement: "SPDXRef-Package-hello" });
    expect(doc.relationships).toContainEqual({ spdxElementId: "SPDXRef-Package-shout", relationshipType: "DEPENDS_ON", relatedSpdxElement: "SPDXRef-Package-greet" });
    const broken = { ...doc, relationships: [...doc.relationships, { spdxElementId: "SPDXRef-Package-nope", relationshipType: "DEPENDS_ON", relatedSpdxElement: "SPDXRef-DOCUMENT" }] };
    expect(spdxProblems(broken)).toHaveLength(1);
  });

  it("gives the same bytes for the same lock file and SOURCE_DATE_EPOCH, and writes -o atomically", async () => {
    const first = await cli(["sbom", "--format", "spdx"], EPOCH);
    const second = await cli(["sbom", "--format", "spdx"], EPOCH);
    expect(second.stdout).toBe(first.stdout);
    const written = await cli(["sbom", "-o", "bom.cdx.json", "--json"], EPOCH);
    expect(written.code, show(written)).toBe(0);
    expect(JSON.parse(written.stdout)).toMatchObject({ ok: true, output: path.join(example, "bom.cdx.json"), format: "cyclonedx", packages: 12 });
    expect(readFileSync(path.join(example, "bom.cdx.json"), "utf8")).toBe((await cli(["sbom"], EPOCH)).stdout);
  });

  it("refuses a SOURCE_DATE_EPOCH that is not a number of seconds", async () => {
    const result = await cli(["sbom"], { SOURCE_DATE_EPOCH: "yesterday" });
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toMatch(/SOURCE_DATE_EPOCH must be a number of seconds/);
  });
});
