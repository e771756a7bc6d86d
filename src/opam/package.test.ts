// Tests of the typed package model: field coercions and errors on inline opam text, then
// hand-checked real packages of the snapshot evaluated under linux/x86_64/debian, and
// whole-snapshot cross-checks against the counts measured in the reference notes.
import { describe, expect, it } from "vitest";
import { readSnapshot, snapshotArchive } from "../../test/helpers/real-data.js";
import { UserError } from "../core/errors.js";
import { dependencyFlagsEnv, globalEnv, mergeEnvs, packageEnv, type DependencyFlags, type Env, type GlobalVariables } from "./env.js";
import { evalFilter, filterHolds } from "./filter.js";
import { and, atom, EMPTY, filterDependencies, formatPackageFormula, or, type PackageFormula, type VersionFormula } from "./formula.js";
import { dependsOnDune, isAvailable, isSafePackage, isVirtual, packageFromOpam, packageId, type OpamPackage } from "./package.js";
import { parseOpam } from "./parser.js";
import { formatUrl } from "./url.js";

const SHA256 = "sha256=20192de29aeef985630e79b18f232dd58cb524eabe4894b163dd0b62b57d594d";
const MD5 = "md5=8f7befdaa19eb7977001cb0efbe9a4f7";

function pkg(text: string, name = "foo", version = "1.0"): OpamPackage {
  return packageFromOpam(parseOpam(`opam-version: "2.0"\n${text}`, "foo.opam"), name, version);
}

function thrown(f: () => unknown): UserError {
  try {
    f();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error("expected a UserError");
}

const FLAGS: DependencyFlags = { build: true, post: true, withTest: false, withDoc: false, withDevSetup: false, dev: false };
const DEBIAN: GlobalVariables = { os: "linux", arch: "x86_64", "os-family": "debian", "os-distribution": "debian", "os-version": "12" };

/** What a solver gives one candidate: platform variables, dependency flags, the package's own name/version. */
function envFor(p: OpamPackage, globals: GlobalVariables = DEBIAN, flags: Partial<DependencyFlags> = {}): Env {
  return mergeEnvs(globalEnv(globals), dependencyFlagsEnv({ ...FLAGS, ...flags }), packageEnv(p.name, p.version));
}
const deps = (p: OpamPackage, globals?: GlobalVariables, flags?: Partial<DependencyFlags>) => filterDependencies(p.depends, envFor(p, globals, flags));
const v = (op: "=" | ">=" | "<" | "<=" | ">" | "!=", version: string): VersionFormula => atom({ op, version });
const p = (name: string, versions: VersionFormula = EMPTY): PackageFormula => atom({ name, versions });

describe("fields and coercions", () => {
  it("reads the basic fields", () => {
    const foo = pkg(`
synopsis: "  A thing  "
tags: ["flags:plugin" "org:mirage"]
flags: [light-uninstall avoid-version unknown-flag]
conflict-class: "ocaml-core-compiler"
depends: "dune"
dev-repo: "git+https://github.com/a/foo.git"
x-commit-hash: "abc"
x-commit-hash: "def"
`);
    expect(foo.synopsis).toBe("A thing");
    expect(foo.tags).toEqual(["flags:plugin", "org:mirage"]);
    expect(foo.flags.sort()).toEqual(["avoid-version", "light-uninstall", "plugin"]);
    expect(foo.conflictClass).toEqual(["ocaml-core-compiler"]);
    expect(filterDependencies(foo.depends, envFor(foo))).toEqual(p("dune"));
    expect(foo.devRepo && formatUrl(foo.devRepo)).toBe("git+https://github.com/a/foo.git");
    expect(foo.xFields.get("x-commit-hash")).toMatchObject({ kind: "string", value: "def" });
    expect(foo.fieldPos.get("depends")).toEqual({ line: 7, col: 1 });
    expect(packageId(foo)).toBe("foo.1.0");
  });
  it("reads a single flag without brackets and available in list form", () => {
    const a = pkg(`flags: compiler\navailable: [ os = "linux" ]`);
    expect(a.flags).toEqual(["compiler"]);
    expect(isAvailable(a, globalEnv(DEBIAN))).toBe(true);
    expect(isAvailable(a, globalEnv({ os: "macos" }))).toBe(false);
    expect(isAvailable(pkg(`available: [ ]`), globalEnv({}))).toBe(true);
    expect(isAvailable(pkg(``), globalEnv({}))).toBe(true);
  });
  it("counts build/install commands like opam's list-depth coercion", () => {
    expect(pkg(`build: ["dune" "build"]`).hasBuild).toBe(true);
    expect(pkg(`build: [["dune" "build"] {os = "win32"}]`).hasBuild).toBe(true);
    expect(pkg(`install: "make"`).hasInstall).toBe(true);
    // `[]` is one level short: opam wraps it into [[]], a single (empty) command.
    expect(pkg(`build: []`).hasBuild).toBe(true);
    expect(pkg(`install: [[]]`).hasInstall).toBe(true);
    expect(pkg(``).hasBuild).toBe(false);
  });
  it("reads the url section, legacy archive:, mirrors and checksums", () => {
    const a = pkg(`url {\n  src: "https://x.org/a.tbz"\n  checksum: ["${SHA256}" "${MD5.toUpperCase().replace("MD5", "md5")}"]\n  mirrors: "https://m.org/a.tbz"\n}`);
    expect(a.url?.src).toMatchObject({ backend: "http", transport: "https", path: "x.org/a.tbz" });
    expect(a.url?.checksums.map((c) => c.algo)).toEqual(["sha256", "md5"]);
    expect(a.url?.checksums[1]?.hex).toBe(MD5.slice(4));
    expect(a.url?.mirrors.map(formatUrl)).toEqual(["https://m.org/a.tbz"]);
    const legacy = pkg(`url { archive: "https://x.org/a.tbz" checksum: "${MD5}" }`);
    expect(legacy.url?.src.backend).toBe("http");
    expect(pkg(`url { git: "https://x.org/a.git" }`).url?.src.backend).toBe("git");
  });
  it("reads extra-source, depexts and pin-depends", () => {
    const a = pkg(`
extra-source "a.patch" { src: "https://x.org/a.patch" checksum: "${SHA256}" }
depexts: [["libgmp-dev"] {os-family = "debian"} ["gmp" "gmp-devel"]]
pin-depends: ["bar.dev" "git+https://github.com/x/bar.git#abc"]
`);
    expect(a.extraSources).toHaveLength(1);
    expect(a.extraSources[0]).toMatchObject({ name: "a.patch", src: { path: "x.org/a.patch" } });
    expect(a.depexts.map((d) => d.packages)).toEqual([["libgmp-dev"], ["gmp", "gmp-devel"]]);
    expect(filterHolds(a.depexts[0]!.filter, globalEnv(DEBIAN))).toBe(true);
    expect(a.depexts[1]!.filter).toBeUndefined();
    expect(a.pinDepends).toMatchObject([{ id: "bar.dev", name: "bar", version: "dev", url: { backend: "git", fragment: "abc" } }]);
  });
  it("reads opam 1.2 depexts ([[tags] [packages]]) whose string filters never hold", () => {
    const a = pkg(`depexts: [ [ ["fedora"] ["gcc-c++"] ] [ ["oraclelinux"] ["gcc-c++"] ] ]`);
    expect(a.depexts.map((d) => d.packages)).toEqual([["gcc-c++"], ["gcc-c++"]]);
    expect(filterHolds(a.depexts[0]!.filter, globalEnv({ "os-distribution": "fedora" }))).toBe(false);
  });
});

describe("errors name file, line, column and field", () => {
  it("rejects bad shapes", () => {
    expect(thrown(() => pkg(`depends: [("a" | "b") {build}]`)).message).toBe("foo.opam:2:11: depends: expected a package name string, found a group ( … )");
    expect(thrown(() => pkg(`flags: "compiler"`)).message).toMatch(/^foo\.opam:2:8: flags: expected a flag identifier/);
    expect(thrown(() => pkg(`tags: [["a"]]`)).message).toMatch(/^foo\.opam:2:8: tags: expected a string, found a list/);
    expect(thrown(() => pkg(`url { src: "https://a" checksum: "sha256=abc" }`)).message).toMatch(/^foo\.opam:2:\d+: url\.checksum: invalid checksum "sha256=abc"/);
    expect(thrown(() => pkg(`url { checksum: "${MD5}" }`)).message).toBe("foo.opam:2:1: url: missing src");
    expect(thrown(() => pkg(`url { src: "https://a" archive: "https://b" }`)).message).toMatch(/url\.archive: too many URLs/);
    expect(thrown(() => pkg(`dev-repo: "svn+https://x.org/r"`)).message).toMatch(/^foo\.opam:2:11: dev-repo: invalid URL "svn\+https:\/\/x\.org\/r": unsupported version control system "svn"/);
    expect(thrown(() => pkg(`pin-depends: [["bar" "https://x"]]`)).message).toMatch(/pin-depends: invalid package "bar"/);
    expect(thrown(() => pkg(`available: os = "linux" {x}`)).message).toMatch(/available: expected a filter expression, found an option/);
    expect(thrown(() => pkg(`depexts: [["a"] {os = "linux"} {x = "y"}]`)).code).toBe("OPAM_FIELD");
  });
});

describe("duplicates", () => {
  it("keeps the first of a duplicated field or section, as opam's reader does (opam show: 'dev-repo' has been ignored)", () => {
    const dup = pkg(`dev-repo: "git+https://x.org/first.git"\ndev-repo: "git+https://x.org/second.git"\nurl { src: "https://a" }\nurl { src: "https://b" }`);
    expect(dup.devRepo?.raw).toBe("git+https://x.org/first.git");
    expect(dup.url?.src.raw).toBe("https://a");
  });
});

describe("opam-monorepo predicates", () => {
  it("dependsOnDune looks at every branch of depends and depopts, jbuilder only when allowed", () => {
    expect(dependsOnDune(pkg(`depends: ["a" ("b" | "dune" {with-test})]`))).toBe(true);
    expect(dependsOnDune(pkg(`depends: "a"\ndepopts: "dune"`))).toBe(true);
    expect(dependsOnDune(pkg(`depends: "jbuilder"`))).toBe(false);
    expect(dependsOnDune(pkg(`depends: "jbuilder"`), true)).toBe(true);
    expect(dependsOnDune(pkg(`conflicts: "dune"`))).toBe(false);
  });
  it("isVirtual: no url, conf without dev-repo, or neither build nor install", () => {
    const url = `url { src: "https://x.org/a.tbz" }`;
    expect(isVirtual(pkg(`build: "make"`))).toBe(true);
    expect(isVirtual(pkg(`${url}\nflags: conf\nbuild: "make"`))).toBe(true);
    expect(isVirtual(pkg(`${url}\nflags: conf\ndev-repo: "git+https://x.org/a"\nbuild: "make"`))).toBe(false);
    expect(isVirtual(pkg(url))).toBe(true);
    expect(isVirtual(pkg(`${url}\ninstall: "make"`))).toBe(false);
  });
  it("isSafePackage: compiler flag, compiler names, skip list, virtual", () => {
    const real = `url { src: "https://x.org/a.tbz" }\nbuild: "make"`;
    expect(isSafePackage(pkg(real))).toBe(false);
    expect(isSafePackage(pkg(`${real}\nflags: compiler`))).toBe(true);
    expect(isSafePackage(pkg(real, "ocaml-compiler"))).toBe(true);
    expect(isSafePackage(pkg(real, "ocamlbuild"))).toBe(true);
    expect(isSafePackage(pkg(`build: "make"`))).toBe(true);
  });
});

// ---- Real packages -----------------------------------------------------------------------------

const present = snapshotArchive("opam-repository") !== undefined;
if (!present) console.log("skipping real-data package tests: opam-repository.tar.gz is absent from the shared data directory");

let snapshotCache: Map<string, string> | undefined;
function real(name: string, version: string): OpamPackage {
  snapshotCache ??= new Map(readSnapshot("opam-repository").map((f) => [f.path, f.text]));
  const path = `packages/${name}/${name}.${version}/opam`;
  const text = snapshotCache.get(path);
  if (text === undefined) throw new Error(`${path} is not in the snapshot`);
  return packageFromOpam(parseOpam(text, path), name, version);
}

describe.skipIf(!present)("real packages under linux/x86_64/debian", () => {
  it("ocaml.5.4.0: the compiler disjunction stays, the Windows-only group disappears", () => {
    const ocaml = real("ocaml", "5.4.0");
    const range = and(v(">=", "5.4.0~"), v("<", "5.4.1~"));
    expect(deps(ocaml)).toEqual(
      and(p("ocaml-config", v(">=", "3")), or(p("ocaml-base-compiler", range), p("ocaml-variants", range), p("ocaml-system", range), p("dkml-base-compiler", range))),
    );
    const onWindows = formatPackageFormula(deps(ocaml, { os: "win32", arch: "x86_64" }));
    expect(onWindows).toContain("(ocaml-env-mingw64 | ocaml-env-mingw32 | ocaml-env-msvc64 | ocaml-env-msvc32)");
    expect([isVirtual(ocaml), isSafePackage(ocaml), dependsOnDune(ocaml), ocaml.flags]).toEqual([true, true, false, ["conf"]]);
  });
  it("ocaml-compiler.5.4.0: the Windows port selection degrades into live alternatives before base-unix", () => {
    const compiler = real("ocaml-compiler", "5.4.0");
    const msvc = or(p("system-mingw"), and(p("system-msvc"), p("winpthreads")));
    expect(deps(compiler)).toEqual(
      and(
        p("ocaml", v("=", "5.4.0")),
        ...["base-unix", "base-bigarray", "base-threads", "base-domains", "base-nnp", "base-effects"].map((n) => p(n)),
        or(msvc, msvc, p("base-unix")),
      ),
    );
    // On a 32-bit ARM the bytecode-only option appears; with post = false (dune's choice) the back-edges go.
    expect(formatPackageFormula(deps(compiler, { ...DEBIAN, arch: "arm32" }))).toContain("ocaml-option-bytecode-only");
    expect(formatPackageFormula(deps(compiler, DEBIAN, { post: false }))).toBe("system-mingw | system-msvc & winpthreads | system-mingw | system-msvc & winpthreads");
    expect(formulaText(compiler.conflicts)).toBe("relocatable");
  });
  it("ocaml-base-compiler: availability and the compiler flag", () => {
    const old = real("ocaml-base-compiler", "4.11.0"); // available: !(os = "macos" & arch = "arm64")
    expect(isAvailable(old, globalEnv(DEBIAN))).toBe(true);
    expect(isAvailable(old, globalEnv({ os: "macos", arch: "arm64" }))).toBe(false);
    expect(isAvailable(old, globalEnv({}))).toBe(false); // undefined → unavailable
    const current = real("ocaml-base-compiler", "5.4.0");
    expect([current.available, current.flags, current.conflictClass, isSafePackage(current)]).toEqual([undefined, ["compiler"], ["ocaml-core-compiler"], true]);
    expect(deps(current)).toEqual(and(p("ocaml-compiler", v("=", "5.4.0")), p("ocaml-options-vanilla")));
  });
  it("ocaml-system.5.3.0: ?sys-ocaml-arch filters and a sys-ocaml-version availability", () => {
    const system = real("ocaml-system", "5.3.0");
    const names = (f: PackageFormula) => formatPackageFormula(f).split(" & ");
    expect(names(deps(system))).toEqual(["ocaml (= 5.3.0)", "base-unix", "base-bigarray", "base-threads", "base-domains", "base-nnp", "base-effects"]);
    expect(names(deps(system, { ...DEBIAN, "sys-ocaml-arch": "x86_64", "sys-ocaml-libc": "msvc", "sys-ocaml-cc": "cc" }))).toEqual([
      "ocaml (= 5.3.0)",
      "base-unix",
      "base-bigarray",
      "base-threads",
      "base-domains",
      "base-nnp",
      "base-effects",
      "conf-mingw-w64-gcc-x86_64",
      "conf-mingw-w64-zstd-x86_64",
      "ocaml-env-mingw64",
    ]);
    expect(isAvailable(system, globalEnv(DEBIAN))).toBe(false); // sys-ocaml-version undefined
    expect(isAvailable(system, globalEnv({ ...DEBIAN, "sys-ocaml-version": "5.3.0" }))).toBe(true);
    expect(isAvailable(system, globalEnv({ ...DEBIAN, "sys-ocaml-version": "5.2.0" }))).toBe(false);
    expect(system.flags).toEqual(["compiler", "avoid-version"]);
  });
  it("dream.1.0.0~alpha8: {os != \"win32\"} | {os = \"win32\"}, {with-test} and {with-test & >= …}", () => {
    const dream = real("dream", "1.0.0~alpha8");
    const text = formatPackageFormula(deps(dream));
    expect(text).toContain("caqti (>= 2.0.0 & < 3.0.0~)");
    expect(text).toContain(" & conf-libev & ");
    expect(text).not.toMatch(/alcotest|bisect_ppx|ocaml \(>= 4\.08\.0\) \|/);
    const withTest = formatPackageFormula(deps(dream, DEBIAN, { withTest: true }));
    expect(withTest).toContain("alcotest & bisect_ppx (>= 2.5.0)");
    expect(withTest).toContain("ppx_expect (>= v0.15.0 & < v0.17.0)");
    const windows = formatPackageFormula(deps(dream, { os: "win32", arch: "x86_64" }));
    expect(windows).toContain(" & ocaml & ");
    expect(dependsOnDune(dream)).toBe(true);
  });
  it("ocluster.0.2.1: {= version}, {>= \"1.0.0\" & with-test}, {with-doc}, {os != \"win32\"}, {>= … & os = \"win32\"}", () => {
    const oc = real("ocluster", "0.2.1");
    const base =
      "dune (>= 3.3) & ocluster-api (= 0.2.1) & ocluster-worker (= 0.2.1) & ocaml (>= 4.12.0) & capnp-rpc-lwt (>= 1.2.3) & " +
      "capnp-rpc-net (>= 1.2.3 & < 2.0) & capnp-rpc-unix (>= 1.2.3 & < 2.0) & cmdliner (>= 1.1.0) & conf-libev & digestif (>= 0.8) & " +
      "dune-build-info & fmt & fpath & logs & lwt (>= 5.6.1) & lwt-dllist & mirage-crypto (>= 0.8.5 & < 1.0.0) & " +
      "obuilder (>= 0.5.1 & < 0.6.0) & ppx_expect (>= v0.14.1) & ppx_sexp_conv & prometheus & prometheus-app (>= 1.2) & psq (>= 0.2.1) & sqlite3";
    expect(formatPackageFormula(deps(oc))).toBe(base);
    const tests =
      " & current_ocluster (= 0.2.1) & alcotest (>= 1.0.0) & alcotest-lwt (>= 1.0.1) & " +
      "mirage-crypto-rng (>= 0.11.0 & < 1.0.0) & mirage-crypto-rng-lwt (>= 0.11.0 & < 1.0.0)";
    expect(formatPackageFormula(deps(oc, DEBIAN, { withTest: true }))).toBe(base + tests);
    expect(formatPackageFormula(deps(oc, DEBIAN, { withDoc: true }))).toBe(`${base} & odoc`);
    const windows = formatPackageFormula(deps(oc, { os: "win32", arch: "x86_64" }));
    expect(windows).toBe(base.replace(" & conf-libev", "") + " & winsvc (>= 1.0.1)");
  });
  it("higher_kinded.v0.17.0: available: arch != \"arm32\" & arch != \"x86_32\"", () => {
    const hk = real("higher_kinded", "v0.17.0");
    expect(isAvailable(hk, globalEnv(DEBIAN))).toBe(true);
    expect(isAvailable(hk, globalEnv({ ...DEBIAN, arch: "arm32" }))).toBe(false);
    expect(formatPackageFormula(deps(hk))).toBe("ocaml (>= 5.1.0) & base (>= v0.17 & < v0.18~) & ppx_jane (>= v0.17 & < v0.18~) & dune (>= 3.11.0)");
  });
  it("conf-cc.1: only Windows alternatives, all gone on Linux; conf-gmp.5: depexts for debian", () => {
    expect(deps(real("conf-cc", "1"))).toEqual(EMPTY);
    const gmp = real("conf-gmp", "5");
    const active = gmp.depexts.filter((d) => filterHolds(d.filter, globalEnv(DEBIAN))).map((d) => d.packages);
    expect(active).toEqual([["libgmp-dev"]]);
    expect([isVirtual(gmp), gmp.flags]).toEqual([true, ["conf"]]);
  });
  it("url sections, extra-source, mirrors, pin-depends and flags:plugin tags", () => {
    const igv = real("igvxml", "0.1.0");
    expect(igv.extraSources.map((e) => [e.name, formatUrl(e.src), e.checksums.map((c) => c.algo)])).toEqual([
      ["igvxml.install", "https://raw.githubusercontent.com/ocaml/opam-source-archives/main/patches/igvxml/igvxml.install", ["sha256", "md5"]],
    ]);
    expect(real("bap-dump-symbols", "2.5.0").url?.mirrors.map(formatUrl)).toEqual(["https://mirrors.aegis.cylab.cmu.edu/bap/2.5.0/v2.5.0.tar.gz"]);
    const melange = real("melange-testing-library", "0.2.0");
    expect(melange.pinDepends.map((d) => [d.name, d.version, d.url.backend, d.url.fragment])).toEqual([["bisect_ppx", "dev", "git", "a0c2375ca20beceb55e53776e03812def3bc32ba"]]);
    expect(real("opam-publish", "2.0.0").flags).toEqual(["plugin"]);
    expect(real("tls", "0.10.6").url?.src.path).toBe("github.com/mirleft/ocaml-tls/releases/download/v0.10.6/tls-0.10.6.tbz"); // legacy archive:
  });
});

function formulaText(f: OpamPackage["conflicts"]): string {
  return formatPackageFormula(filterDependencies(f, globalEnv({})));
}

describe.skipIf(!present)("the whole snapshot (cross-checked with the reference notes' measurements)", () => {
  let cached: OpamPackage[] | undefined;
  const all = () =>
    (cached ??= readSnapshot("opam-repository").map((f) => {
      const [, name, dir] = f.path.split("/") as [string, string, string];
      return packageFromOpam(parseOpam(f.text, f.path), name, dir.slice(dir.indexOf(".") + 1));
    }));
  it("models every file; the dune check splits 14,330 dune / 1,014 safe / 3,449 rejected", () => {
    const pkgs = all();
    expect(pkgs).toHaveLength(18793);
    let dune = 0;
    let safe = 0;
    let rejected = 0;
    for (const x of pkgs) {
      if (dependsOnDune(x)) dune++;
      else if (isSafePackage(x)) safe++;
      else rejected++;
    }
    expect({ dune, safe, rejected }).toEqual({ dune: 14330, safe: 1014, rejected: 3449 });
  });
  it("available: evaluates like the reference table for empty, debian and full environments", () => {
    const withField = all().filter((x) => x.available !== undefined);
    const tally = (globals: GlobalVariables) => {
      const counts = { available: 0, false: 0, undefined: 0 };
      for (const x of withField) {
        const value = evalFilter(x.available!, mergeEnvs(globalEnv(globals), packageEnv(x.name, x.version)));
        counts[value === true ? "available" : value === undefined ? "undefined" : "false"]++;
      }
      return counts;
    };
    expect(withField).toHaveLength(2217);
    expect(tally({})).toEqual({ available: 0, false: 22, undefined: 2195 });
    expect(tally(DEBIAN)).toEqual({ available: 1758, false: 186, undefined: 273 });
    const full = { ...DEBIAN, "opam-version": "2.3.0", "sys-ocaml-version": "5.2.0", "sys-ocaml-arch": "x86_64", "sys-ocaml-cc": "cc", "sys-ocaml-libc": "libc" };
    expect(tally(full)).toEqual({ available: 1925, false: 290, undefined: 2 });
  });
  it("models every overlay file too", () => {
    for (const snapshot of ["opam-overlays", "mirage-opam-overlays"] as const) {
      if (snapshotArchive(snapshot) === undefined) continue;
      for (const f of readSnapshot(snapshot)) {
        const [, name, dir] = f.path.split("/") as [string, string, string];
        const x = packageFromOpam(parseOpam(f.text, f.path), name, dir.slice(dir.indexOf(".") + 1));
        expect(x.name).toBe(name);
      }
    }
  });
});
