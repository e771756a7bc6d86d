// SBOM pieces: package URLs, checksum names, the content-derived serial number, timestamps, the
// CycloneDX licence forms and SPDX's VCS download location; a small document valid against the
// official CycloneDX 1.6 schema.
import { describe, expect, it } from "vitest";
import { cyclonedxValidator, schemaErrors, spdxProblems } from "../../test/helpers/sbom-schemas.js";
import { cdxLicenses, cyclonedxDocument } from "./cyclonedx.js";
import { contentUuid, parseChecksums, purl, sbomTimestamp, type SbomInput } from "./sbom-model.js";
import { downloadLocation, spdxDocument } from "./spdx.js";

const input: SbomInput = {
  tool: { name: "opam-monorepo", version: "0.5.0" },
  timestamp: "2024-01-01T00:00:00Z",
  roots: ["app"],
  packages: [
    { name: "app", version: "zdev", kind: "local", licenses: ["ISC"], homepage: undefined, devRepo: undefined, source: undefined },
    {
      name: "zarith",
      version: "1.13+dune+mirage",
      kind: "vendored",
      licenses: ["LGPL-2.0-only WITH OCaml-LGPL-linking-exception"],
      homepage: "https://github.com/ocaml/Zarith",
      devRepo: "git+https://github.com/ocaml/Zarith.git",
      source: { url: "git+https://github.com/dune-universe/Zarith.git#0123456789abcdef0123456789abcdef01234567", hashes: [] },
    },
    { name: "lib_x", version: "1.0", kind: "vendored", licenses: ["BSD", "MIT"], homepage: undefined, devRepo: undefined, source: { url: "https://x.org/x.tbz", hashes: ["sha512=" + "ab".repeat(64), "md5=" + "CD".repeat(16)] } },
  ],
  dependencies: new Map([["app", ["lib_x", "zarith"]], ["zarith", []], ["lib_x", []]]),
};

describe("SBOM pieces", () => {
  it("percent-encodes purls and maps checksums", () => {
    expect(purl("zarith", "1.13+dune+mirage")).toBe("pkg:opam/zarith@1.13%2Bdune%2Bmirage");
    expect(parseChecksums(["sha256=AB", "sha1=00", "md5=cd"])).toEqual([{ algo: "sha256", hex: "ab" }, { algo: "md5", hex: "cd" }]);
  });

  it("derives the serial number from the content and reads SOURCE_DATE_EPOCH", () => {
    expect(contentUuid(input, "x")).toBe(contentUuid({ ...input }, "x"));
    expect(contentUuid(input, "x")).not.toBe(contentUuid({ ...input, timestamp: "2024-01-02T00:00:00Z" }, "x"));
    expect(sbomTimestamp("0", new Date())).toBe("1970-01-01T00:00:00Z");
    expect(sbomTimestamp(undefined, new Date(Date.UTC(2024, 1, 3, 4, 5, 6, 789)))).toBe("2024-02-03T04:05:06Z");
    expect(sbomTimestamp("-1", new Date())).toEqual({ error: expect.stringContaining("SOURCE_DATE_EPOCH") });
  });

  it("writes CycloneDX licences as ids, names, or one expression", () => {
    expect(cdxLicenses([])).toBeUndefined();
    expect(cdxLicenses(["MIT", "ISC"])).toEqual([{ license: { id: "MIT" } }, { license: { id: "ISC" } }]);
    expect(cdxLicenses(["MIT", "LGPL-2.1-only WITH OCaml-LGPL-linking-exception"])).toEqual([{ expression: "MIT AND (LGPL-2.1-only WITH OCaml-LGPL-linking-exception)" }]);
    expect(cdxLicenses(["GPL-2.0-or-later", "LicenseRef-Foo"])).toEqual([{ expression: "GPL-2.0-or-later AND LicenseRef-Foo" }]);
    expect(cdxLicenses(["BSD", "MIT"])).toEqual([{ license: { name: "BSD" } }, { license: { name: "MIT" } }]);
  });

  it("writes git sources as SPDX VCS locations", () => {
    expect(downloadLocation("git+https://h/r.git#abc")).toBe("git+https://h/r.git@abc");
    expect(downloadLocation("https://h/r.tbz")).toBe("https://h/r.tbz");
    expect(downloadLocation(undefined)).toBe("NOASSERTION");
  });

  it("makes documents the schema and the SPDX rules accept", () => {
    expect(schemaErrors(cyclonedxValidator(), cyclonedxDocument(input))).toEqual([]);
    const spdx = spdxDocument(input);
    expect(spdxProblems(spdx)).toEqual([]);
    expect((spdx.packages as { SPDXID: string; licenseDeclared: string }[]).map((p) => [p.SPDXID, p.licenseDeclared])).toEqual([
      ["SPDXRef-Package-app", "ISC"],
      ["SPDXRef-Package-zarith", "LGPL-2.0-only WITH OCaml-LGPL-linking-exception"],
      ["SPDXRef-Package-lib-x", "LicenseRef-BSD AND MIT"],
    ]);
  });
});
