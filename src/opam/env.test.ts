// Unit tests of filter environments: layering, OPAMVAR_* overrides, dependency flags,
// package variables, and opam-style host detection from injected facts.
import { describe, expect, it } from "vitest";
import {
  dependencyFlagsEnv,
  detectHostFacts,
  emptyEnv,
  globalEnv,
  hostGlobalEnv,
  mergeEnvs,
  normaliseArch,
  normaliseOs,
  opamVarOverrides,
  packageEnv,
  parseOsRelease,
  platformVariables,
  reportUnknownVariables,
} from "./env.js";

const UBUNTU = `PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
ID=ubuntu
ID_LIKE=debian
`;
const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
const CENTOS = 'NAME="CentOS Stream"\nVERSION_ID="9"\nID="centos"\nID_LIKE="rhel fedora"\n';
const ALPINE = "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n";

describe("layering", () => {
  it("the first env that defines a variable wins", () => {
    const env = mergeEnvs(globalEnv({ os: "macos" }), globalEnv({ os: "linux", arch: "arm64" }), emptyEnv);
    expect([env("os"), env("arch"), env("nope")]).toEqual(["macos", "arm64", undefined]);
  });
  it("global variables do not answer package scopes", () => {
    expect(globalEnv({ version: "1" })("version", "_")).toBeUndefined();
    expect(globalEnv({ a: undefined })("a")).toBeUndefined();
  });
});

describe("unknown variables", () => {
  it("are reported once each, with their scope", () => {
    const seen: string[] = [];
    const env = reportUnknownVariables(globalEnv({ os: "linux" }), (name) => seen.push(name));
    expect([env("os"), env("cataladevmode"), env("cataladevmode"), env("native", "ocaml")]).toEqual(["linux", undefined, undefined, undefined]);
    expect(seen).toEqual(["cataladevmode", "ocaml:native"]);
  });
});

describe("OPAMVAR_ overrides", () => {
  const env = opamVarOverrides({
    OPAMVAR_os_distribution: "alpine",
    OPAMVAR_with_test: "true",
    OPAMVAR_ocaml_native: "false",
    "OPAMVAR_sys-ocaml-version": "5.2.0",
    OPAMVAR_foo: "",
  });
  it("maps - to _, reads booleans, accepts the literal spelling too", () => {
    expect(env("os-distribution")).toBe("alpine");
    expect(env("with-test")).toBe(true);
    expect(env("native", "ocaml")).toBe(false);
    expect(env("sys-ocaml-version")).toBe("5.2.0");
    expect(env("foo")).toBe("");
    expect(env("os")).toBeUndefined();
    expect(env("foo", "_")).toBeUndefined();
  });
  it("wins when merged first", () => {
    const merged = mergeEnvs(env, globalEnv({ "os-distribution": "debian", os: "linux" }));
    expect([merged("os-distribution"), merged("os")]).toEqual(["alpine", "linux"]);
  });
});

describe("dependency flags and package variables", () => {
  const flags = dependencyFlagsEnv({ build: true, post: true, withTest: false, withDoc: false, withDevSetup: false, dev: true });
  it("answers exactly the six flags, globally", () => {
    expect(["build", "post", "with-test", "with-doc", "with-dev-setup", "dev"].map((v) => flags(v))).toEqual([true, true, false, false, false, true]);
    expect(flags("os")).toBeUndefined();
    expect(flags("build", "_")).toBeUndefined();
  });
  it("package env answers name and version globally, for _ and for its own name", () => {
    const pkg = packageEnv("fmt", "0.9.0");
    expect([pkg("name"), pkg("version"), pkg("version", "_"), pkg("name", "fmt"), pkg("version", "other"), pkg("os")]).toEqual([
      "fmt",
      "0.9.0",
      "0.9.0",
      "fmt",
      undefined,
      undefined,
    ]);
  });
});

describe("host detection (pure parts)", () => {
  it("normalises uname -m like opam", () => {
    const cases: Record<string, string> = {
      x86_64: "x86_64",
      amd64: "x86_64",
      i686: "x86_32",
      aarch64: "arm64",
      arm64: "arm64",
      armv7l: "arm32",
      armv6l: "arm32",
      ppc64le: "ppc64",
      ppc: "ppc32",
      s390x: "s390x",
      riscv64: "riscv64",
    };
    for (const [raw, arch] of Object.entries(cases)) expect(normaliseArch(raw), raw).toBe(arch);
  });
  it("normalises uname -s like opam", () => {
    expect(["Linux", "Darwin", "FreeBSD", "OpenBSD", "NetBSD", "Win32", "Cygwin"].map(normaliseOs)).toEqual([
      "linux",
      "macos",
      "freebsd",
      "openbsd",
      "netbsd",
      "win32",
      "cygwin",
    ]);
  });
  it("reads os-release the way opam does (first token, quotes removed)", () => {
    const fields = parseOsRelease(CENTOS);
    expect([fields.get("ID"), fields.get("ID_LIKE"), fields.get("NAME"), fields.get("VERSION_ID")]).toEqual(["centos", "rhel", "CentOS", "9"]);
  });
  it("derives the debian family for debian and ubuntu", () => {
    expect(platformVariables({ system: "Linux", machine: "x86_64", osRelease: DEBIAN })).toEqual({
      arch: "x86_64",
      os: "linux",
      "os-distribution": "debian",
      "os-version": "12",
      "os-family": "debian",
    });
    expect(platformVariables({ system: "Linux", machine: "aarch64", osRelease: UBUNTU })).toEqual({
      arch: "arm64",
      os: "linux",
      "os-distribution": "ubuntu",
      "os-version": "22.04",
      "os-family": "debian",
    });
  });
  it("uses the first ID_LIKE word, else the distribution", () => {
    expect(platformVariables({ system: "Linux", machine: "x86_64", osRelease: CENTOS })["os-family"]).toBe("rhel");
    expect(platformVariables({ system: "Linux", machine: "x86_64", osRelease: ALPINE })).toMatchObject({ "os-family": "alpine", "os-version": "3.19.1" });
    expect(platformVariables({ system: "Linux", machine: "x86_64" })).toEqual({ arch: "x86_64", os: "linux", "os-distribution": "linux", "os-family": "linux" });
  });
  it("macOS: homebrew, then macports, else macos; the family follows the distribution", () => {
    const mac = { system: "Darwin", machine: "arm64", osVersion: "14.5" };
    expect(platformVariables({ ...mac, hasBrew: true, hasPort: true })).toEqual({
      arch: "arm64",
      os: "macos",
      "os-distribution": "homebrew",
      "os-version": "14.5",
      "os-family": "homebrew",
    });
    expect(platformVariables({ ...mac, hasPort: true })["os-distribution"]).toBe("macports");
    expect(platformVariables(mac)["os-distribution"]).toBe("macos");
  });
  it("BSDs are the bsd family, Windows the windows family, Android a linux distribution", () => {
    expect(platformVariables({ system: "FreeBSD", machine: "amd64", osVersion: "1400097" })).toEqual({
      arch: "x86_64",
      os: "freebsd",
      "os-distribution": "freebsd",
      "os-version": "1400097",
      "os-family": "bsd",
    });
    expect(platformVariables({ system: "Win32", machine: "x86_64", osVersion: "10.0.22631" })).toMatchObject({ os: "win32", "os-family": "windows" });
    expect(platformVariables({ system: "Linux", machine: "aarch64", androidRelease: "14" })).toMatchObject({ "os-distribution": "android", "os-version": "14" });
  });
});

describe("host detection (real host)", () => {
  it("detects this machine consistently with Node's view of it", async () => {
    const facts = await detectHostFacts({ PATH: process.env.PATH });
    const variables = platformVariables(facts);
    const expectedOs = process.platform === "darwin" ? "macos" : process.platform === "android" ? "linux" : process.platform;
    expect(variables.os).toBe(expectedOs);
    expect(typeof variables.arch).toBe("string");
    const env = await hostGlobalEnv({ PATH: process.env.PATH, OPAMVAR_os: "plan9" });
    expect(env("os")).toBe("plan9");
    expect(env("arch")).toBe(variables.arch);
  });
});
