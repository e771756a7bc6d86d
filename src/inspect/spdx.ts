// PURE: an SBOM input as an SPDX 2.3 JSON document: one package per locked package (purl,
// declared licence, checksums, download location, homepage, dev-repo), DESCRIBES for the root
// package, DEPENDS_ON for each dependency, and the tool among the creators. Deterministic.
import { classifyLicense, licenseRef } from "./spdx-license.js";
import { contentUuid, parseChecksums, purl, type SbomInput, type SbomPackage } from "./sbom-model.js";

const SPDX_ALGORITHMS: Record<string, string> = { sha256: "SHA256", sha512: "SHA512", md5: "MD5" };

type Json = Record<string, unknown>;

interface Extracted {
  licenseId: string;
  name: string;
  extractedText: string;
}

/** The declared licence as one SPDX expression; names become LicenseRef-… recorded in `extracted`. */
export function spdxDeclaredLicense(licenses: readonly string[], extracted: Map<string, Extracted>): string {
  if (licenses.length === 0) return "NOASSERTION";
  const parts = licenses.map((text) => {
    const license = classifyLicense(text);
    if (license.kind === "id") return license.id;
    if (license.kind === "expression") return licenses.length > 1 ? `(${license.expression})` : license.expression;
    let id = licenseRef(license.name);
    for (let n = 2; extracted.has(id) && extracted.get(id)!.extractedText !== license.name; n++) id = `${licenseRef(license.name)}-${n}`;
    extracted.set(id, { licenseId: id, name: license.name, extractedText: license.name });
    return id;
  });
  return parts.join(" AND ");
}

/** SPDX's VCS location form: `git+https://host/repo@<commit>` for `git+https://host/repo#<commit>`. */
export function downloadLocation(url: string | undefined): string {
  if (url === undefined) return "NOASSERTION";
  if (/^git(\+[a-z]+)?:\/\//.test(url) && url.includes("#")) return url.replace("#", "@");
  return url;
}

/** SPDXRef-Package-<name>, reduced to the allowed characters, made unique. */
function spdxIds(packages: readonly SbomPackage[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const pkg of packages) {
    const base = `SPDXRef-Package-${pkg.name.replace(/[^A-Za-z0-9.-]/g, "-")}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    ids.set(pkg.name, id);
  }
  return ids;
}

function spdxPackage(pkg: SbomPackage, id: string, extracted: Map<string, Extracted>): Json {
  const checksums = parseChecksums(pkg.source?.hashes ?? []).map((c) => ({ algorithm: SPDX_ALGORITHMS[c.algo], checksumValue: c.hex }));
  const externalRefs: Json[] = [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: purl(pkg.name, pkg.version) }];
  if (pkg.devRepo !== undefined) externalRefs.push({ referenceCategory: "OTHER", referenceType: "vcs", referenceLocator: pkg.devRepo.replace(/\s/g, "%20") });
  return {
    SPDXID: id,
    name: pkg.name,
    versionInfo: pkg.version,
    downloadLocation: downloadLocation(pkg.source?.url),
    filesAnalyzed: false,
    ...(checksums.length > 0 ? { checksums } : {}),
    ...(pkg.homepage !== undefined ? { homepage: pkg.homepage } : {}),
    licenseConcluded: "NOASSERTION",
    licenseDeclared: spdxDeclaredLicense(pkg.licenses, extracted),
    copyrightText: "NOASSERTION",
    externalRefs,
    ...(pkg.kind === "local" ? { primaryPackagePurpose: "APPLICATION" } : { primaryPackagePurpose: "LIBRARY" }),
  };
}

export function spdxDocument(input: SbomInput): Json {
  const ids = spdxIds(input.packages);
  const extracted = new Map<string, Extracted>();
  const packages = input.packages.map((pkg) => spdxPackage(pkg, ids.get(pkg.name)!, extracted));
  const relationships: Json[] = input.roots
    .filter((name) => ids.has(name))
    .map((name) => ({ spdxElementId: "SPDXRef-DOCUMENT", relationshipType: "DESCRIBES", relatedSpdxElement: ids.get(name) }));
  for (const pkg of input.packages) {
    for (const name of input.dependencies.get(pkg.name) ?? []) {
      if (ids.has(name)) relationships.push({ spdxElementId: ids.get(pkg.name), relationshipType: "DEPENDS_ON", relatedSpdxElement: ids.get(name) });
    }
  }
  const uuid = contentUuid(input, "spdx");
  const title = input.roots.join("-") || "lock";
  return {
    spdxVersion: "SPDX-2.3",
    dataLicense: "CC0-1.0",
    SPDXID: "SPDXRef-DOCUMENT",
    name: `${title} (opam-monorepo lock file)`,
    documentNamespace: `https://spdx.org/spdxdocs/opam-monorepo/${encodeURIComponent(title)}-${uuid}`,
    creationInfo: { created: input.timestamp, creators: [`Tool: ${input.tool.name}-${input.tool.version}`] },
    packages,
    relationships,
    ...(extracted.size > 0 ? { hasExtractedLicensingInfos: [...extracted.values()] } : {}),
  };
}
