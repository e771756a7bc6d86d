// Test helper: validators for SBOMs built from the official schema files kept in
// fixtures/schemas/ (see its README), with ajv 8 (its 2019-09 build for SPDX 2.3) and
// ajv-formats. ajv-formats has no `iri-reference` or `idn-email` (CycloneDX uses both): they are
// checked here by RFC 3987's excluded characters and by a plain address shape.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import addFormatsModule from "ajv-formats";
import { projectRoot } from "./cli.js";

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const SCHEMAS = path.join(projectRoot, "fixtures", "schemas");

function schema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(SCHEMAS, name), "utf8")) as Record<string, unknown>;
}

/** RFC 3987 IRI-reference: no spaces, controls or the characters it excludes (`<>"{}|\^` and backquote). */
function isIriReference(text: string): boolean {
  return !/[\u0000-\u0020\u007f<>"{}|\\^`]/u.test(text);
}

let cyclonedx: ValidateFunction | undefined;

/** CycloneDX 1.6 (bom-1.6.schema.json with the spdx and jsf schemas it references). */
export function cyclonedxValidator(): ValidateFunction {
  if (cyclonedx !== undefined) return cyclonedx;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat("iri-reference", isIriReference);
  ajv.addFormat("idn-email", /^[^\s@]+@[^\s@]+$/u);
  ajv.addSchema(schema("spdx.schema.json"));
  ajv.addSchema(schema("jsf-0.82.schema.json"));
  cyclonedx = ajv.compile(schema("bom-1.6.schema.json"));
  return cyclonedx;
}

export function schemaErrors(validate: ValidateFunction, document: unknown): string[] {
  if (validate(document)) return [];
  return (validate.errors ?? []).map((error: ErrorObject) => `${error.instancePath || "/"} ${error.message ?? ""} ${JSON.stringify(error.params)}`);
}

let spdx: ValidateFunction | undefined;

/** SPDX 2.3 (the specification's spdx-schema.json, JSON Schema 2019-09). */
export function spdxValidator(): ValidateFunction {
  if (spdx !== undefined) return spdx;
  const ajv = new Ajv2019({ allErrors: true });
  spdx = ajv.compile(schema("spdx-schema.json"));
  return spdx;
}

type Doc = Record<string, unknown>;

/**
 * The SPDX 2.3 rules the official schema cannot express (it types each field on its own): the
 * fixed header values, the creator prefixes, a namespace URI without `#`, SPDXIDs unique,
 * relationships between elements of the document, every LicenseRef defined in
 * hasExtractedLicensingInfos, and a purl reference in the PACKAGE-MANAGER category (Annex F).
 */
export function spdxProblems(document: Doc): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, message: string) => ok || problems.push(message);
  need(document.spdxVersion === "SPDX-2.3" && document.dataLicense === "CC0-1.0" && document.SPDXID === "SPDXRef-DOCUMENT", "bad document header");
  need(/^[a-z][a-z0-9+.-]*:[^\s#]+$/.test(String(document.documentNamespace)), "documentNamespace is not an absolute URI without #");
  const creators = ((document.creationInfo as Doc | undefined)?.creators as string[] | undefined) ?? [];
  need(creators.every((c) => /^(Tool|Person|Organization): \S/.test(c)), "bad creators");
  const ids = new Set(["SPDXRef-DOCUMENT"]);
  const refs = new Set(((document.hasExtractedLicensingInfos as Doc[] | undefined) ?? []).map((info) => String(info.licenseId)));
  for (const pkg of (document.packages as Doc[]) ?? []) {
    const where = `package ${String(pkg.name)}`;
    need(!ids.has(String(pkg.SPDXID)), `${where}: repeated SPDXID`);
    ids.add(String(pkg.SPDXID));
    const purls = ((pkg.externalRefs as Doc[] | undefined) ?? []).filter((ref) => ref.referenceType === "purl");
    need(purls.every((ref) => ref.referenceCategory === "PACKAGE-MANAGER" && /^pkg:[a-z]+\/\S+$/.test(String(ref.referenceLocator))), `${where}: bad purl`);
    for (const ref of String(pkg.licenseDeclared).match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? []) need(refs.has(ref), `${where}: ${ref} is not in hasExtractedLicensingInfos`);
  }
  for (const relation of (document.relationships as Doc[]) ?? []) {
    need(ids.has(String(relation.spdxElementId)) && ids.has(String(relation.relatedSpdxElement)), `relationship between unknown elements ${JSON.stringify(relation)}`);
  }
  return problems;
}
