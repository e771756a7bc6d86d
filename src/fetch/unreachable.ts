// A host that cannot be reached at all (its name does not resolve, or it refuses connections) is
// recognised once per pull: later downloads from it fail at once, without retries, and the
// failures are reported grouped by host with the offline hint. Pure, apart from the memo it keeps.
import { errnoCode, UserError } from "../core/errors.js";
import { PROGRAM } from "../core/paths.js";
import { redactUrl } from "./source.js";

export type HostProblem = "resolve" | "refused";

export interface HostFailure {
  host: string;
  problem: HostProblem;
  code: string;
}

const RESOLVE_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "EAI_NODATA"]);

/** The host (with its port) of an http(s) URL, or undefined. */
export function hostOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return /^https?:$/.test(parsed.protocol) ? parsed.host : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `error` (or one of its causes) says the host cannot be reached at all. */
export function hostFailureOf(url: string, error: unknown): HostFailure | undefined {
  const host = hostOf(url);
  if (host === undefined) return undefined;
  for (let current = error; current; current = (current as { cause?: unknown }).cause) {
    const code = errnoCode(current);
    if (code !== undefined && RESOLVE_CODES.has(code)) return { host, problem: "resolve", code };
    if (code === "ECONNREFUSED") return { host, problem: "refused", code };
  }
  return undefined;
}

export function describeHostFailure(failure: HostFailure): string {
  return failure.problem === "resolve" ? `could not resolve ${failure.host} (${failure.code})` : `could not connect to ${failure.host} (connection refused)`;
}

/** The error of one download from an unreachable host; `repeat` when the host was known to be so. */
export function hostError(url: string, failure: HostFailure, repeat: boolean): UserError {
  return new UserError("HOST_UNREACHABLE", `Failed to download ${redactUrl(url)}: ${describeHostFailure(failure)}`, {
    details: { ...failure, url: redactUrl(url), repeat },
  });
}

export function isHostError(error: unknown): error is UserError & { details: HostFailure & { repeat: boolean } } {
  return error instanceof UserError && error.code === "HOST_UNREACHABLE";
}

export const OFFLINE_HINT =
  `without network access, \`${PROGRAM} pull --offline\` uses only the download cache and local mirrors: ` +
  `fill them where there is network (\`${PROGRAM} pull --download-only\`, or \`${PROGRAM} mirror DIR\`) and pass --archive-mirror DIR`;

/** `could not resolve github.com (ENOTFOUND): 95 archives`, one line per host, most archives first. */
export function groupHostFailures(errors: readonly unknown[]): string[] {
  const byHost = new Map<string, { failure: HostFailure; count: number }>();
  for (const error of errors) {
    if (!isHostError(error)) continue;
    const { host, problem, code } = error.details;
    const entry = byHost.get(host) ?? { failure: { host, problem, code }, count: 0 };
    entry.count++;
    byHost.set(host, entry);
  }
  return [...byHost.values()]
    .sort((a, b) => b.count - a.count)
    .map(({ failure, count }) => `${describeHostFailure(failure)}: ${count} archive${count === 1 ? "" : "s"}`);
}
