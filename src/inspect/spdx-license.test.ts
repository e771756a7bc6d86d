// SPDX licence expressions recognised in opam `license:` fields, and licence names kept as names.
import { describe, expect, it } from "vitest";
import { classifyLicense, licenseRef } from "./spdx-license.js";

describe("opam licences as SPDX", () => {
  it("keeps identifiers and expressions, in canonical case", () => {
    expect(classifyLicense("MIT")).toEqual({ kind: "id", id: "MIT" });
    expect(classifyLicense("isc")).toEqual({ kind: "id", id: "ISC" });
    expect(classifyLicense("LGPL-2.1-only WITH OCaml-LGPL-linking-exception")).toEqual({
      kind: "expression",
      expression: "LGPL-2.1-only WITH OCaml-LGPL-linking-exception",
    });
    expect(classifyLicense("(MIT or apache-2.0) AND BSD-3-Clause")).toEqual({ kind: "expression", expression: "(MIT OR Apache-2.0) AND BSD-3-Clause" });
    expect(classifyLicense("GPL-2.0+")).toEqual({ kind: "id", id: "GPL-2.0+" });
    expect(classifyLicense("LicenseRef-Proprietary")).toEqual({ kind: "id", id: "LicenseRef-Proprietary" });
  });

  it("treats anything else as a licence name", () => {
    for (const text of ["BSD", "LGPL with OCaml linking exception", "MIT AND", "(MIT", "MIT OR OR ISC", "MIT WITH", "", "GPL/LGPL"]) {
      expect(classifyLicense(text)).toEqual({ kind: "name", name: text.trim() });
    }
  });

  it("makes LicenseRef identifiers from names", () => {
    expect(licenseRef("LGPL with OCaml linking exception")).toBe("LicenseRef-LGPL-with-OCaml-linking-exception");
    expect(licenseRef("©")).toBe("LicenseRef-unnamed");
  });
});
