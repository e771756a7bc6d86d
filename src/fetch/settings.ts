// Pull settings that come from opam's environment variables: download jobs, retries and the
// checksum policy. Pure: reads only the `env` object it is given.

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
