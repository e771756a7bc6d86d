// Test helper: validators for SBOMs built from the official schema files kept in
// fixtures/schemas/ (see its README), with ajv 8 and ajv-formats. ajv-formats has no
// `iri-reference` or `idn-email` (CycloneDX uses both): they are checked here by RFC 3987's
// excluded characters and by a plain address shape.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
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

const SPDX_ID = /^SPDXRef-[a-zA-Z0-9.-]+$/;
const SPDX_DATE = /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z$/;
const SPDX_ALGORITHMS = ["SHA1", "SHA224", "SHA256", "SHA384", "SHA512", "SHA3-256", "SHA3-384", "SHA3-512", "BLAKE2b-256", "BLAKE2b-384", "BLAKE2b-512", "BLAKE3", "MD2", "MD4", "MD5", "MD6", "ADLER32"];
const RELATIONSHIPS = ["DESCRIBES", "DEPENDS_ON", "CONTAINS", "DEPENDENCY_OF", "BUILD_DEPENDENCY_OF", "DEV_DEPENDENCY_OF", "GENERATED_FROM"];

type Doc = Record<string, unknown>;

/**
 * SPDX 2.3 JSON checked against the specification's rules for the fields we write (required
 * document and package fields, identifier and date patterns, checksum algorithms and hex, purl
 * references, relationships between known elements, LicenseRefs defined). No npm package in
 * reach ships the official spdx-schema.json (see fixtures/schemas/README.md).
 */
export function spdxProblems(document: Doc): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, message: string) => ok || problems.push(message);
  for (const field of ["spdxVersion", "dataLicense", "SPDXID", "name", "documentNamespace", "creationInfo"]) need(document[field] !== undefined, `missing ${field}`);
  need(document.spdxVersion === "SPDX-2.3" && document.dataLicense === "CC0-1.0" && document.SPDXID === "SPDXRef-DOCUMENT", "bad document header");
  need(/^[a-z][a-z0-9+.-]*:[^\s#]+$/.test(String(document.documentNamespace)), "documentNamespace is not an absolute URI without #");
  const creation = document.creationInfo as Doc | undefined;
  need(SPDX_DATE.test(String(creation?.created)), "creationInfo.created is not YYYY-MM-DDThh:mm:ssZ");
  need(Array.isArray(creation?.creators) && (creation!.creators as string[]).length > 0 && (creation!.creators as string[]).every((c) => /^(Tool|Person|Organization): \S/.test(c)), "bad creators");
  const ids = new Set(["SPDXRef-DOCUMENT"]);
  const refs = new Set(((document.hasExtractedLicensingInfos as Doc[] | undefined) ?? []).map((info) => String(info.licenseId)));
  for (const pkg of (document.packages as Doc[]) ?? []) {
    const where = `package ${String(pkg.name)}`;
    need(SPDX_ID.test(String(pkg.SPDXID)) && !ids.has(String(pkg.SPDXID)), `${where}: bad or repeated SPDXID`);
    ids.add(String(pkg.SPDXID));
    for (const field of ["name", "downloadLocation", "versionInfo", "licenseConcluded", "licenseDeclared", "copyrightText"]) need(typeof pkg[field] === "string", `${where}: missing ${field}`);
    for (const checksum of (pkg.checksums as Doc[] | undefined) ?? []) {
      need(SPDX_ALGORITHMS.includes(String(checksum.algorithm)) && /^[0-9a-f]+$/.test(String(checksum.checksumValue)), `${where}: bad checksum`);
    }
    const purls = ((pkg.externalRefs as Doc[] | undefined) ?? []).filter((ref) => ref.referenceType === "purl");
    need(purls.length === 1 && purls[0]!.referenceCategory === "PACKAGE-MANAGER" && /^pkg:opam\/[^@/]+@\S+$/.test(String(purls[0]!.referenceLocator)), `${where}: bad purl`);
    for (const ref of String(pkg.licenseDeclared).match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? []) need(refs.has(ref), `${where}: ${ref} is not in hasExtractedLicensingInfos`);
  }
  for (const relation of (document.relationships as Doc[]) ?? []) {
    need(RELATIONSHIPS.includes(String(relation.relationshipType)), `bad relationship type ${String(relation.relationshipType)}`);
    need(ids.has(String(relation.spdxElementId)) && ids.has(String(relation.relatedSpdxElement)), `relationship between unknown elements ${JSON.stringify(relation)}`);
  }
  return problems;
}
