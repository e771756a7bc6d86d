// Pull settings that come from opam's environment variables: download jobs, retries and the
// checksum policy; and ours: the extracted-size cap. Pure: reads only the `env` object it is given.
import { UserError } from "../core/errors.js";
import { DEFAULT_MAX_EXTRACTED_SIZE } from "./tree-writer.js";

/** Jobs enough to saturate a link on small archives (opam's default of 3 is latency-bound). */
export const DEFAULT_JOBS = 16;
export const DEFAULT_RETRIES = 3;

function positiveInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  const value = Number(text);
  return value > 0 ? value : undefined;
}

function nonNegativeInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  return Number(text);
}

/** opam's boolean variables: `1`, `true`, `yes` (any case) are true. */
function envFlag(text: string | undefined): boolean {
  return text !== undefined && /^(1|true|yes|y|on)$/i.test(text.trim());
}

/** `OPAMDOWNLOADJOBS`, else 16. */
export function defaultJobs(env: NodeJS.ProcessEnv = process.env): number {
  return positiveInteger(env.OPAMDOWNLOADJOBS) ?? DEFAULT_JOBS;
}

/** `OPAMRETRIES` (extra attempts after the first, for transient failures), else 3. */
export function defaultRetries(env: NodeJS.ProcessEnv = process.env): number {
  return nonNegativeInteger(env.OPAMRETRIES) ?? DEFAULT_RETRIES;
}

/** `OPAMNOCHECKSUMS` and `OPAMREQUIRECHECKSUMS`. */
export function checksumPolicy(env: NodeJS.ProcessEnv = process.env): { noChecksums: boolean; requireChecksums: boolean } {
  return { noChecksums: envFlag(env.OPAMNOCHECKSUMS), requireChecksums: envFlag(env.OPAMREQUIRECHECKSUMS) };
}

const SIZE_UNITS: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** `4G`, `512M`, `100k`, `2GiB`, `1048576`: a positive byte count; undefined when malformed. */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!match) return undefined;
  const bytes = Math.floor(Number(match[1]) * SIZE_UNITS[match[2]!.toUpperCase()]!);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/**
 * The cap on the data one archive may extract: `--max-extracted-size` (`option`), else
 * OPAM_MONOREPO_MAX_EXTRACTED_SIZE, else 4 GiB. A malformed value is a clear error.
 */
export function maxExtractedSize(option: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const [text, source] = option !== undefined ? [option, "option --max-extracted-size"] : [env.OPAM_MONOREPO_MAX_EXTRACTED_SIZE, "OPAM_MONOREPO_MAX_EXTRACTED_SIZE"];
  if (text === undefined || (option === undefined && text === "")) return DEFAULT_MAX_EXTRACTED_SIZE;
  const bytes = parseSize(text);
  // A bad option value exits 124 as cmdliner does; a bad environment variable is an error (1).
  const code = option !== undefined ? "BAD_OPTION_VALUE" : "BAD_ARGUMENT";
  if (bytes === undefined) throw new UserError(code, `${source}: expected a size such as 4G, 512M or a number of bytes, got ${JSON.stringify(text)}`);
  return bytes;
}
