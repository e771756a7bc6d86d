// pin-depends of local packages: fetch each pinned source once (tarball or git, no checksum, in
// a private temp dir), read the pinned package's opam file from it (`<name>.opam`, `opam` or
// `opam/<name>.opam`) and give it the pin URL as its source. Cleans up after itself.
import { mkdtemp, rm } from "node:fs/promises";
import { isDirectoryError, readInputText } from "../core/read-input.js";
import os from "node:os";
import path from "node:path";
import { mapConcurrent } from "../core/concurrency.js";
import { errnoCode, UserError } from "../core/errors.js";
import type { Reporter } from "../core/reporter.js";
import { DownloadCache, defaultCacheDir } from "../fetch/cache.js";
import { fetchSource } from "../fetch/fetch-source.js";
import { httpLimits } from "../fetch/http-get.js";
import { openFetchSession } from "../fetch/session.js";
import { defaultJobs, defaultRetries, maxExtractedSize } from "../fetch/settings.js";
import { sourceOf } from "../fetch/source.js";
import { NO_POS } from "../opam/ast.js";
import { packageFromOpam, type OpamPackage } from "../opam/package.js";
import { parseOpam } from "../opam/parser.js";
import { parseUrl } from "../opam/url.js";
import { groupPinsByUrl, type PinDependEntry } from "../project/project.js";

async function readPinnedOpam(dir: string, pin: PinDependEntry): Promise<OpamPackage> {
  const candidates = [`${pin.name}.opam`, "opam", path.join("opam", `${pin.name}.opam`)];
  for (const relative of candidates) {
    const file = path.join(dir, relative);
    let text: string;
    try {
      text = await readInputText(file, "an opam file");
    } catch (error) {
      if (["ENOENT", "ENOTDIR", "EISDIR"].includes(errnoCode(error) ?? "") || isDirectoryError(error)) continue;
      throw error;
    }
    const pkg = packageFromOpam(parseOpam(text, `${pin.url} (${relative})`), pin.name, pin.version);
    pkg.url = { src: parseUrl(pin.url), checksums: [], mirrors: [], subpath: undefined, pos: NO_POS };
    return pkg;
  }
  throw new UserError("OPAM_FIELD", `pin-depends: ${pin.name}.${pin.version} is pinned to ${pin.url}, but that source has no ${candidates.join(", ")}`, {
    hint: "point the pin at a source that contains the package's opam file",
  });
}

/** The opam packages of every pin-depends entry, fixed at their pinned versions. */
export async function fetchPins(pins: readonly PinDependEntry[], env: NodeJS.ProcessEnv, reporter: Reporter): Promise<OpamPackage[]> {
  if (pins.length === 0) return [];
  const groups = [...groupPinsByUrl(pins)];
  const work = await mkdtemp(path.join(os.tmpdir(), "opam-monorepo-pins-"));
  const jobs = defaultJobs(env);
  const session = await openFetchSession({
    cache: new DownloadCache(defaultCacheDir(env)),
    mirrors: [],
    offline: false,
    noChecksums: true,
    requireChecksums: false,
    jobs,
    retries: defaultRetries(env),
    maxExtractedSize: maxExtractedSize(undefined, env),
    limits: httpLimits(env),
    reporter,
  });
  try {
    const settled = await mapConcurrent(groups, jobs, async ([url, entries], index) => {
      const fetched = await fetchSource(sourceOf(url, []), path.join(work, String(index)), session, false);
      return Promise.all(entries.map((entry) => readPinnedOpam(fetched.content, entry)));
    });
    const failed = settled.find((result) => !result.ok);
    if (failed && !failed.ok) throw failed.error;
    return settled.flatMap((result) => (result.ok ? result.value : []));
  } finally {
    await session.close();
    await rm(work, { recursive: true, force: true });
  }
}
