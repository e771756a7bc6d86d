// Checks generated workspaces against the real `dune` (CI installs Debian's ocaml-dune): its
// formatter leaves them unchanged, and it builds with them. Cross contexts use a findlib toolchain
// conf written by the test that points at the host compiler. Skips, saying why, without dune.
import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pathExists } from "../core/fs.js";
import { removeTestdir, testdir } from "../../test/helpers/testdir.js";
import { planWorkspace } from "./plan.js";
import { renderWorkspace } from "./render.js";
import { TARGETS } from "./targets.js";
import type { CustomContext } from "./model.js";
import { atom, list, printDocument } from "./sexp.js";

const duneVersion = spawnSync("dune", ["--version"], { encoding: "utf8" });
const haveDune = duneVersion.status === 0;
if (!haveDune) console.warn("skipping dune integration tests: `dune` is not on PATH (apt-get install ocaml-nox ocaml-dune)");

const PROJECT = {
  "dune-project": "(lang dune 2.9)\n",
  "main.ml": 'external stub : unit -> int = "om_stub"\nlet () = Printf.printf "%d\\n" (stub ())\n',
  "stub.c": '#include <caml/mlvalues.h>\nvalue om_stub(value unit) { (void)unit; return Val_int(42); }\n',
  dune: [
    "(executable (name main) (foreign_stubs (language c) (names stub)))",
    "(rule (target only_solo5.txt) (enabled_if (= %{context_name} solo5))",
    " (action (with-stdout-to only_solo5.txt (echo %{context_name}))))",
    "",
  ].join("\n"),
};

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map(removeTestdir));
});

function run(cwd: string, args: string[], findlibConf: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, OCAMLFIND_CONF: findlibConf, DUNE_CACHE: "disabled" };
  delete env.INSIDE_DUNE;
  return spawnSync("dune", args, { cwd, env, encoding: "utf8" });
}

/** A findlib conf whose toolchains (if any) are the host compiler under another name. */
async function findlibConf(dir: string, toolchains: string[]): Promise<string> {
  const where = spawnSync("ocamlc", ["-where"], { encoding: "utf8" }).stdout.trim();
  const conf = path.join(dir, "findlib", "findlib.conf");
  await mkdir(path.join(dir, "findlib", "findlib.conf.d"), { recursive: true });
  await writeFile(conf, `destdir="${dir}/destdir"\npath="${where}"\n`);
  for (const name of toolchains) {
    const lines = ["ocamlc", "ocamlopt", "ocamldep", "ocamlmklib"].map((tool) => `${tool}(${name}) = "${tool}"`);
    lines.push(`path(${name}) = "${where}"`, `stdlib(${name}) = "${where}"`, `destdir(${name}) = "${dir}/destdir"`);
    await writeFile(path.join(dir, "findlib", "findlib.conf.d", `${name}.conf`), `${lines.join("\n")}\n`);
  }
  return conf;
}

async function project(targets: string[], custom: CustomContext[] = [], toolchains: string[] = []) {
  const dir = await testdir({ ...PROJECT, "dune-workspace": renderWorkspace(planWorkspace(targets, custom), "0.0.0-test") }, "om-dune-");
  dirs.push(dir);
  return { dir, conf: await findlibConf(dir, toolchains) };
}

describe.skipIf(!haveDune)(`real dune (${duneVersion.stdout?.trim() || "absent"})`, () => {
  it("`dune format-dune-file` leaves every generated workspace unchanged", async () => {
    const dir = await testdir({}, "om-dune-fmt-");
    dirs.push(dir);
    const requests: [string[], CustomContext[]][] = [
      ...TARGETS.map((t): [string[], CustomContext[]] => [[t], []]),
      [["hvt", "unikraft-firecracker"], [{ name: "cross-arm64", toolchain: "solo5_aarch64" }]],
    ];
    for (const [targets, custom] of requests) {
      const text = renderWorkspace(planWorkspace(targets, custom), "1.0.0");
      await writeFile(path.join(dir, "dune-workspace"), text);
      const formatted = spawnSync("dune", ["format-dune-file", "dune-workspace"], { cwd: dir, encoding: "utf8" });
      expect(formatted.stderr).toBe("");
      expect(formatted.stdout, targets.join(",")).toBe(text);
    }
  });
  it("dune reads quoted and bare atoms back as the printer wrote them", async () => {
    const dir = await testdir({}, "om-dune-atoms-");
    dirs.push(dir);
    const atoms = ["plain", ":standard", "-z unikraft-backend=qemu", "", 'q"uote', "back\\slash", "%{x}", "50%", "é", "a;b"];
    const text = printDocument([list(atom("atoms"), ...atoms.map(atom))]);
    await writeFile(path.join(dir, "dune"), text);
    const formatted = spawnSync("dune", ["format-dune-file", "dune"], { cwd: dir, encoding: "utf8" });
    expect(formatted.stderr).toBe("");
    expect(formatted.stdout).toBe(text);
  });
  it("unix: dune builds the project in the default context", async () => {
    const { dir, conf } = await project(["unix"]);
    const result = run(dir, ["build", "./main.exe"], conf);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(await pathExists(path.join(dir, "_build/default/main.exe"))).toBe(true);
  });
  it("hvt without ocaml-solo5 installed: dune reads the file and asks for the solo5 toolchain", async () => {
    const { dir, conf } = await project(["hvt"]);
    const result = run(dir, ["build", "./main.exe"], conf);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/toolchain solo5 isn't defined/);
  });
  it("hvt with a solo5 toolchain: builds in both contexts, and %{context_name} is exactly solo5", async () => {
    const { dir, conf } = await project(["hvt"], [], ["solo5"]);
    const result = run(dir, ["build", "./main.exe", "./only_solo5.txt"], conf);
    expect(result.stderr).toBe("");
    expect(await pathExists(path.join(dir, "_build/default/main.exe"))).toBe(true);
    expect(await pathExists(path.join(dir, "_build/solo5/main.exe"))).toBe(true);
    expect(await pathExists(path.join(dir, "_build/solo5/only_solo5.txt"))).toBe(true);
  });
  it("unikraft-qemu: the backend flags reach the unikraft context and only it", async () => {
    const { dir, conf } = await project(["unikraft-qemu"], [], ["unikraft"]);
    const result = run(dir, ["printenv", "."], conf);
    expect(result.status).toBe(0);
    const [host, cross] = result.stdout.replace(/\s+/g, " ").split("Environment for context unikraft:");
    expect(cross).toMatch(/\(flags \([^)]*-cclib "-z unikraft-backend=qemu"\)/);
    expect(cross).toMatch(/\(c_flags \([^)]*-z unikraft-backend=qemu\)/);
    expect(host).not.toContain("unikraft-backend");
  });
  it("solo5 + unikraft + a custom context: dune accepts the single (merlin) and builds everywhere", async () => {
    const { dir, conf } = await project(["hvt", "unikraft-firecracker"], [{ name: "other", toolchain: "other" }], ["solo5", "unikraft", "other"]);
    const result = run(dir, ["build", "./main.exe"], conf);
    expect(result.status, result.stderr).toBe(0);
    for (const context of ["default", "solo5", "unikraft", "other"]) {
      expect(await pathExists(path.join(dir, "_build", context, "main.exe")), context).toBe(true);
    }
  });
});
