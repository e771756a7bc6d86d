// NODE_EXTRA_CA_CERTS without its start-up cost. Node 20 reads and parses that file as it starts
// (~50 ms for Debian's 220 KB bundle, on every command), although only an https download needs
// it. bin/ moves the variable aside (to OPAM_MONOREPO_DEFERRED_CA_CERTS) when NODE_OPTIONS is
// empty; main() puts it back for the programs we run, and core/undici.ts reads the file when it
// makes its first agent, trusting Node's roots plus those certificates, as Node would have.

const DEFERRED = "OPAM_MONOREPO_DEFERRED_CA_CERTS";

let deferred: string | undefined;

/** Put NODE_EXTRA_CA_CERTS back into `env` (for child processes) and remember its file. */
export function restoreDeferredCaCerts(env: NodeJS.ProcessEnv = process.env): void {
  const file = env[DEFERRED];
  if (file === undefined) return;
  delete env[DEFERRED];
  if (file === "") return;
  env.NODE_EXTRA_CA_CERTS = file;
  deferred = file;
}

/** The extra certificates' file that Node did not load at start-up (bin/ deferred it), if any. */
export function deferredCaFile(): string | undefined {
  return deferred;
}
