// The two commands bench/reference.ts compares: ours (bin/opam-monorepo, as installed: sh starts
// Node with the bin's flags) and the reference 0.4.3 (../shared/reference-tool/run-reference,
// with its binary and empty opam root kept in $TMPDIR/opam-monorepo-bench-reference).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface Tools {
  ours: string;
  reference: string;
  /** The reference's home (binary, opam root; its download cache is `<home>/opamroot/download-cache`). */
  referenceHome: string;
  /** The index cache of every warm run of ours. */
  warmCache: string;
  oursEnv(cacheHome: string, extra: Record<string, string>): NodeJS.ProcessEnv;
  referenceEnv(extra: Record<string, string>): NodeJS.ProcessEnv;
}

/** The tools, or undefined (with the reason printed) when the reference cannot run. */
export function referenceCommand(root: string, work: string): Tools | undefined {
  const reference = path.resolve(root, "..", "shared", "reference-tool", "run-reference");
  const referenceHome = process.env.OPAM_MONOREPO_REFERENCE_HOME ?? path.join(os.tmpdir(), "opam-monorepo-bench-reference");
  const home = path.join(work, "home");
  mkdirSync(home, { recursive: true });
  const base = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, NO_COLOR: "1", LANG: "C.UTF-8" };
  const referenceEnv = (extra: Record<string, string>) => ({ ...base, OPAM_MONOREPO_REFERENCE_HOME: referenceHome, ...extra });
  if (!existsSync(reference)) {
    console.log(`no reference tool at ${reference}`);
    return undefined;
  }
  const check = spawnSync(reference, ["--version"], { env: referenceEnv({}), encoding: "utf8" });
  if (check.status !== 0 || !check.stdout.startsWith("0.4.3")) {
    console.log(`${reference} --version failed (exit ${check.status}): ${check.stderr.trim()}`);
    return undefined;
  }
  const warmCache = path.join(work, "warm-cache");
  mkdirSync(warmCache, { recursive: true });
  return {
    // BENCH_OURS: another build's bin/opam-monorepo (e.g. a copy of the code before a change).
    ours: process.env.BENCH_OURS ?? path.join(root, "bin", "opam-monorepo"),
    reference,
    referenceHome,
    warmCache,
    oursEnv: (cacheHome, extra) => ({ ...base, XDG_CACHE_HOME: cacheHome, OPAMROOT: path.join(work, "no-opam-root"), ...extra }),
    referenceEnv,
  };
}
