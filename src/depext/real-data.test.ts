// Depext selection on the real opam-repository snapshot: every conf-* package's depexts go through
// a lock file (print, parse, decode) and the real filter evaluator for nine hosts.
import { describe, expect, it } from "vitest";
import type { LockedDepext } from "../lockfile/model.js";
import { parseLockfile } from "../lockfile/file.js";
import { findField } from "../opam/ast.js";
import { globalEnv } from "../opam/env.js";
import { parseOpam } from "../opam/parser.js";
import { printValue } from "../opam/printer.js";
import { readSnapshot, snapshotArchive } from "../../test/helpers/real-data.js";
import { detectPackageManager } from "./manager.js";
import { depextFilterEvaluator, selectDepexts } from "./select.js";

const archive = snapshotArchive("opam-repository");
if (archive === undefined) console.warn("skipping depext real-data tests: ../shared/data/opam-repository.tar.gz is absent");

const HOSTS: Record<string, Record<string, string>> = {
  debian: { os: "linux", "os-family": "debian", "os-distribution": "debian", "os-version": "12" },
  ubuntu: { os: "linux", "os-family": "debian", "os-distribution": "ubuntu", "os-version": "24.04" },
  alpine: { os: "linux", "os-family": "alpine", "os-distribution": "alpine", "os-version": "3.20.3" },
  fedora: { os: "linux", "os-family": "fedora", "os-distribution": "fedora", "os-version": "40" },
  centos7: { os: "linux", "os-family": "rhel", "os-distribution": "centos", "os-version": "7" },
  centos8: { os: "linux", "os-family": "rhel", "os-distribution": "centos", "os-version": "8" },
  arch: { os: "linux", "os-family": "arch", "os-distribution": "arch", "os-version": "" },
  homebrew: { os: "macos", "os-family": "homebrew", "os-distribution": "homebrew", "os-version": "14.5" },
  freebsd: { os: "freebsd", "os-family": "bsd", "os-distribution": "freebsd", "os-version": "1400097" },
};

/** The package's depexts as a lock file carries them, through the real lock file reader. */
function lockedDepexts(path: string, text: string): LockedDepext[] {
  const depexts = findField(parseOpam(text, path).items, "depexts");
  if (depexts === undefined) return [];
  const lock = [
    'opam-version: "2.0"',
    `depexts: ${printValue(depexts.value)}`,
    'x-opam-monorepo-root-packages: ["x"]',
    'x-opam-monorepo-version: "0.3"',
    "",
  ].join("\n");
  return parseLockfile(lock, `${path}.locked`, "/").depexts;
}

describe.skipIf(archive === undefined)("depexts of the real conf-* packages", () => {
  const conf = archive === undefined ? new Map<string, LockedDepext[]>() : confPackages();

  function confPackages(): Map<string, LockedDepext[]> {
    const files = readSnapshot("opam-repository").filter((f) => /^packages\/conf-[^/]+\/[^/]+\/opam$/.test(f.path));
    return new Map(files.map((f) => [f.path.split("/")[2]!, lockedDepexts(f.path, f.text)]));
  }
  function select(id: string, host: string): string[] {
    return selectDepexts(conf.get(id)!, depextFilterEvaluator(globalEnv(HOSTS[host]!), `${id}.opam.locked`));
  }

  it("conf-gmp.5 and conf-pkg-config.5 on each host", () => {
    const expected: Record<string, [string[], string[]]> = {
      debian: [["libgmp-dev"], ["pkg-config"]],
      ubuntu: [["libgmp-dev"], ["pkg-config"]],
      alpine: [["gmp-dev"], ["pkgconf"]],
      fedora: [["gmp", "gmp-devel"], ["pkgconf-pkg-config"]],
      centos7: [["gmp", "gmp-devel"], ["pkgconfig"]],
      centos8: [["gmp", "gmp-devel"], ["pkgconf-pkg-config"]],
      arch: [["gmp"], ["pkgconf"]],
      homebrew: [["gmp"], ["pkgconf"]],
      freebsd: [["gmp"], ["pkgconf"]],
    };
    for (const [host, [gmp, pkgConfig]] of Object.entries(expected)) {
      expect(select("conf-gmp.5", host), host).toEqual(gmp);
      expect(select("conf-pkg-config.5", host), host).toEqual(pkgConfig);
      expect(detectPackageManager(globalEnv(HOSTS[host]!)).kind, host).not.toBe("unsupported");
    }
  });
  it("every conf-* version's depexts decode and evaluate on every host", () => {
    expect(conf.size).toBeGreaterThan(400);
    let selections = 0;
    for (const id of conf.keys()) {
      for (const host of Object.keys(HOSTS)) selections += select(id, host).length;
    }
    expect(selections).toBeGreaterThan(conf.size);
  });
});
