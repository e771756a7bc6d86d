// Reading an opam root built by test/helpers/opam-root.ts: config, switch selection, pins,
// compiler version, repositories as dirs and tarballs, and the OPAM_ROOT errors.
import { describe, expect, it } from "vitest";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { opamRepo, opamText } from "../../test/helpers/opam-repo.js";
import { writeOpamRoot, type RootSpec } from "../../test/helpers/opam-root.js";
import { testdir } from "../../test/helpers/testdir.js";
import { openRepositories } from "./open.js";
import { compilerVersionOf, readOpamRoot, readRootConfigAt } from "./opam-root.js";

function spec(): RootSpec {
  return {
    repositories: {
      default: { url: "https://opam.ocaml.org", contents: opamRepo().pkg("a", "1").pkg("a", "2").pkg("b", "1"), storage: "tar" },
      overlay: { url: "git+https://github.com/dune-universe/opam-overlays.git", contents: opamRepo().pkg("a", "1+dune").pkg("b", "1", { tags: ["overlay"] }) },
      local: { contents: opamRepo().pkg("l", "0.1") },
    },
    selection: ["default"],
    switches: {
      default: { compiler: ["ocaml-base-compiler.4.14.2"], installed: ["ocaml-base-compiler.4.14.2", "ocaml.4.14.2", "dune.3.16.0"] },
      "5.2": {
        repositories: ["overlay", "default"],
        compiler: ["ocaml-variants.5.2.0+options", "ocaml-option-flambda.1"],
        pins: { foo: { version: "dev", opam: opamText("foo", "dev", { depends: ['"dune"'] }) }, a: { version: "1" } },
      },
    },
    archiveMirrors: ["https://mirror.example.com/cache"],
    downloadJobs: 7,
    globalVariables: { "sys-ocaml-version": "4.14.1", jobs: "4", flag: true },
  };
}

async function root(overrides: Partial<RootSpec> = {}) {
  const dir = await testdir();
  const opamroot = await writeOpamRoot(path.join(dir, "opam"), { ...spec(), ...overrides });
  return { dir, opamroot, env: { OPAMROOT: opamroot } as NodeJS.ProcessEnv, cacheDir: path.join(dir, "cache") };
}

describe("opam root", () => {
  it("reads the config", async () => {
    const { opamroot } = await root();
    const config = readRootConfigAt(opamroot);
    expect(config).toMatchObject({ repositories: ["default"], installedSwitches: ["default", "5.2"], switch: "default", archiveMirrors: ["https://mirror.example.com/cache"], downloadJobs: 7 });
    expect([...config.globalVariables]).toEqual([["sys-ocaml-version", "4.14.1"], ["jobs", "4"], ["flag", true]]);
    expect(config.evalVariables).toEqual([{ name: "sys-ocaml-version", command: ["ocamlc", "-vnum"] }]);
  });

  it("uses the config's switch, its repository selection and its installed compiler", async () => {
    const { opamroot, env, dir } = await root();
    const info = readOpamRoot({ env, cwd: dir });
    expect(info.root).toBe(opamroot);
    expect(info.switch).toMatchObject({ name: "default", prefix: path.join(opamroot, "default"), local: false, repositories: ["default"], compilerVersion: "4.14.2", pins: [] });
    expect(info.repositories).toEqual([
      { name: "default", url: "https://opam.ocaml.org", spec: { kind: "archive", path: path.join(opamroot, "repo/default.tar.gz"), url: "https://opam.ocaml.org", label: "default" } },
    ]);
  });

  it("follows OPAMSWITCH, the switch's own repositories (priority order), and its pins with overlays", async () => {
    const { opamroot, env, dir, cacheDir } = await root();
    const info = readOpamRoot({ env: { ...env, OPAMSWITCH: "5.2" }, cwd: dir });
    expect(info.switch.name).toBe("5.2");
    expect(info.switch.compilerVersion).toBe("5.2.0");
    expect(info.repositories.map((r) => [r.name, r.spec.kind, r.url])).toEqual([
      ["overlay", "directory", "git+https://github.com/dune-universe/opam-overlays.git"],
      ["default", "archive", "https://opam.ocaml.org"],
    ]);
    expect(info.switch.pins.map((p) => [p.name, p.version, p.opamFile, p.opam?.version])).toEqual([
      ["a", "1", undefined, undefined],
      ["foo", "dev", path.join(opamroot, "5.2/.opam-switch/overlay/foo/opam"), "dev"],
    ]);
    const stack = await openRepositories(info.repositories.map((r) => r.spec), { cacheDir });
    expect(stack.versions("a")).toEqual(["2", "1+dune", "1"]);
    expect(stack.readOpam("b", "1")?.tags).toEqual(["overlay"]);
    expect(stack.members.map((m) => m.url)).toEqual(["git+https://github.com/dune-universe/opam-overlays.git", "https://opam.ocaml.org"]);
  });

  it("finds a local switch (_opam) above the working directory unless OPAMSWITCH is set", async () => {
    const dir = await testdir();
    const project = path.join(dir, "project");
    const opamroot = await writeOpamRoot(path.join(dir, "opam"), {
      ...spec(),
      switches: { ...spec().switches, local: { localDir: project, repositories: ["local", "default"], installed: ["ocaml.5.1.1"] } },
    });
    await mkdir(path.join(project, "src", "deep"), { recursive: true });
    const info = readOpamRoot({ env: { OPAMROOT: opamroot }, cwd: path.join(project, "src", "deep") });
    expect(info.switch).toMatchObject({ name: project, prefix: path.join(project, "_opam"), local: true, compilerVersion: "5.1.1" });
    expect(info.repositories.map((r) => [r.name, r.spec.kind, r.url])).toEqual([
      ["local", "directory", undefined],
      ["default", "archive", "https://opam.ocaml.org"],
    ]);
    expect(info.repositories[0]!.spec).toMatchObject({ url: `file://${path.join(opamroot, "repo/local")}` });
    expect(readOpamRoot({ env: { OPAMROOT: opamroot, OPAMSWITCH: "default" }, cwd: project }).switch.name).toBe("default");
    expect(readOpamRoot({ env: { OPAMROOT: opamroot, OPAMSWITCH: project }, cwd: dir }).switch.local).toBe(true);
  });

  it("prefers an unpacked repo/<name>/ over repo/<name>.tar.gz, as opam does", async () => {
    const { opamroot, env, dir } = await root();
    await opamRepo().pkg("a", "9").writeTo(path.join(opamroot, "repo", "default"));
    expect(readOpamRoot({ env, cwd: dir }).repositories[0]!.spec).toMatchObject({ kind: "directory", path: path.join(opamroot, "repo/default") });
  });

  it("reads the compiler version from the compiler packages when ocaml is not listed", () => {
    const state = (compiler: string[], installed: string[] = []) => ({ compiler, roots: [], installed, pinned: [] });
    expect(compilerVersionOf(state(["ocaml-system.4.14.1"]))).toBe("4.14.1");
    expect(compilerVersionOf(state(["ocaml-variants.5.3.0+trunk"]))).toBe("5.3.0");
    expect(compilerVersionOf(state(["ocaml-base-compiler.5.1.0"], ["ocaml.5.1.0"]))).toBe("5.1.0");
    expect(compilerVersionOf(state([]))).toBeUndefined();
  });

  it("explains a missing root, a missing switch, no current switch and missing repository contents", async () => {
    const dir = await testdir();
    const noRoot = () => readOpamRoot({ env: { OPAMROOT: path.join(dir, "none") }, cwd: dir });
    expect(noRoot).toThrow(expect.objectContaining({ code: "OPAM_ROOT", hint: expect.stringContaining("opam init") }));
    const { opamroot, env } = await root();
    expect(() => readOpamRoot({ env: { ...env, OPAMSWITCH: "nope" }, cwd: dir })).toThrow(expect.objectContaining({ code: "OPAM_ROOT", message: expect.stringContaining("nope") }));
    await rm(path.join(opamroot, "repo", "default.tar.gz"));
    expect(() => readOpamRoot({ env, cwd: dir })).toThrow(expect.objectContaining({ code: "OPAM_ROOT", message: expect.stringContaining("repository default") }));
    const { env: noSwitchEnv } = await root({ current: null });
    expect(() => readOpamRoot({ env: noSwitchEnv, cwd: dir })).toThrow(expect.objectContaining({ code: "OPAM_ROOT", message: expect.stringContaining("no current opam switch") }));
  });

  it("reports a malformed config with the parser's error naming the file", async () => {
    const { opamroot, env, dir } = await root();
    await writeFile(path.join(opamroot, "config"), 'opam-version: "2.0"\nrepositories: [ "default"\n');
    expect(() => readOpamRoot({ env, cwd: dir })).toThrow(expect.objectContaining({ code: "OPAM_PARSE", message: expect.stringContaining(path.join(opamroot, "config")) }));
  });
});
