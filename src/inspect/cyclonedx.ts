// PURE: an SBOM input as a CycloneDX 1.6 JSON document: one component per locked package (purl,
// licences, hashes, distribution / vcs / website references), the local root package as the
// subject, the dependency graph, and the tool in metadata.tools. Deterministic for one input.
import { classifyLicense, isListedId } from "./spdx-license.js";
import { contentUuid, parseChecksums, purl, type SbomInput, type SbomPackage } from "./sbom-model.js";

const CDX_ALGORITHMS: Record<string, string> = { sha256: "SHA-256", sha512: "SHA-512", md5: "MD5" };

type Json = Record<string, unknown>;

/**
 * CycloneDX licences: listed identifiers (`license.id`) and names (`license.name`); or, when some
 * licence is a compound expression or an identifier off the list (`LicenseRef-…`, `GPL-2.0+`),
 * one expression ANDing them all (the schema allows no mix). Names force names for all.
 */
export function cdxLicenses(licenses: readonly string[]): Json[] | undefined {
  if (licenses.length === 0) return undefined;
  const classes = licenses.map(classifyLicense);
  if (classes.some((c) => c.kind === "name")) return licenses.map((name) => ({ license: { name: name.trim() } }));
  const listed = classes.every((c) => c.kind === "id" && isListedId(c.id));
  if (listed) return classes.map((c) => ({ license: { id: c.kind === "id" ? c.id : "" } }));
  const parts = classes.map((c) => (c.kind === "id" ? c.id : c.kind === "expression" && classes.length > 1 ? `(${c.expression})` : c.kind === "expression" ? c.expression : ""));
  return [{ expression: parts.join(" AND ") }];
}

function externalReferences(pkg: SbomPackage): Json[] {
  const references: Json[] = [];
  if (pkg.source !== undefined) {
    const hashes = parseChecksums(pkg.source.hashes).map((c) => ({ alg: CDX_ALGORITHMS[c.algo], content: c.hex }));
    references.push({ type: "distribution", url: pkg.source.url, ...(hashes.length > 0 ? { hashes } : {}) });
  }
  if (pkg.devRepo !== undefined) references.push({ type: "vcs", url: pkg.devRepo });
  if (pkg.homepage !== undefined) references.push({ type: "website", url: pkg.homepage });
  return references;
}

function component(pkg: SbomPackage, type: "application" | "library"): Json {
  const hashes = parseChecksums(pkg.source?.hashes ?? []).map((c) => ({ alg: CDX_ALGORITHMS[c.algo], content: c.hex }));
  const licenses = cdxLicenses(pkg.licenses);
  const references = externalReferences(pkg);
  return {
    type,
    "bom-ref": purl(pkg.name, pkg.version),
    name: pkg.name,
    version: pkg.version,
    scope: pkg.kind === "local" ? undefined : "required",
    ...(hashes.length > 0 ? { hashes } : {}),
    ...(licenses !== undefined ? { licenses } : {}),
    purl: purl(pkg.name, pkg.version),
    ...(references.length > 0 ? { externalReferences: references } : {}),
    properties: [{ name: "opam-monorepo:kind", value: pkg.kind }],
  };
}

export function cyclonedxDocument(input: SbomInput): Json {
  const byName = new Map(input.packages.map((pkg) => [pkg.name, pkg]));
  const subject = byName.get(input.roots[0] ?? "");
  const ref = (name: string) => purl(name, byName.get(name)!.version);
  const components = input.packages.filter((pkg) => pkg !== subject).map((pkg) => component(pkg, pkg.kind === "local" ? "application" : "library"));
  const dependencies = input.packages.map((pkg) => ({ ref: ref(pkg.name), dependsOn: (input.dependencies.get(pkg.name) ?? []).filter((name) => byName.has(name)).map(ref) }));
  return {
    $schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
    bomFormat: "CycloneDX",
    specVersion: "1.6",
    serialNumber: `urn:uuid:${contentUuid(input, "cyclonedx")}`,
    version: 1,
    metadata: {
      timestamp: input.timestamp,
      tools: { components: [{ type: "application", name: input.tool.name, version: input.tool.version }] },
      ...(subject !== undefined ? { component: component(subject, "application") } : {}),
    },
    components,
    dependencies,
  };
}
