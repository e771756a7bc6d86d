// EFFECTS: `pull --download-only`: every locked archive into the download cache (and every git
// commit into the git store), nothing extracted; all failures reported at once.
import { stat } from "node:fs/promises";
import { mapConcurrent } from "../core/concurrency.js";
import { openFetchSession, type FetchOptions } from "../fetch/session.js";
import { obtainArchive } from "../fetch/obtain.js";
import { sourceOf } from "../fetch/source.js";
import { failureError, selectRepos } from "../fetch/pull-support.js";
import type { DuniverseRepo } from "./plan.js";

export interface DownloadOnlySummary {
  /** Archives now in the download cache. */
  archives: number;
  fromCache: number;
  fromMirror: number;
  downloaded: number;
  /** Sources the download cache cannot hold (git, local directories, no checksum). */
  skipped: { dir: string; reason: string }[];
  requests: number;
  bytes: number;
}

/** `pull --download-only`: fill the download cache for every archive; extract nothing. */
export async function downloadOnly(options: FetchOptions & { repos: readonly DuniverseRepo[]; only?: readonly string[] }): Promise<DownloadOnlySummary> {
  const selected = selectRepos(options.repos, options.only);
  const summary: DownloadOnlySummary = { archives: 0, fromCache: 0, fromMirror: 0, downloaded: 0, skipped: [], requests: 0, bytes: 0 };
  const session = await openFetchSession({ ...options, noChecksums: false });
  try {
    const results = await mapConcurrent(selected, options.jobs, async (repo) => {
      const source = sourceOf(repo.url, repo.hashes);
      const hashes = source.kind === "git" ? [] : source.hashes;
      if (source.kind === "git" || hashes.length === 0) return { dir: repo.dir, reason: source.kind === "git" ? "git source" : "no checksum" };
      if (source.kind === "local" && (await stat(source.path).catch(() => undefined))?.isDirectory()) return { dir: repo.dir, reason: "local directory" };
      const obtained = await obtainArchive(source.url, hashes, session.context);
      summary.archives++;
      if (obtained.from === "cache") summary.fromCache++;
      else if (obtained.from === "mirror") summary.fromMirror++;
      else summary.downloaded++;
      return undefined;
    });
    const failures = results.flatMap((result, index) => (result.ok ? [] : [{ repo: selected[index], error: result.error }]));
    if (failures.length > 0) throw failureError(failures, selected.length);
    summary.skipped = results.flatMap((result) => (result.ok && result.value ? [result.value] : []));
    return summary;
  } finally {
    summary.requests = session.stats.requests;
    summary.bytes = session.stats.bytes;
    await session.close();
  }
}
