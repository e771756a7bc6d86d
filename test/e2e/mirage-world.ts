// A MirageOS-like world for the end-to-end tests of mirage's generated Makefile, mirage-skeleton,
// ocaml-ci and the CI recipe: repositories in a fake opam root's switch (the fixture compiler
// repository, the fixture sources with their archives on a loopback server, a cross-compile overlay,
// the switch tools mirage lists as opam-provided) and unikernel projects. Never imported by src/.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { makeArchive, archiveOf } from "../helpers/archives.js";
import { serveDirectory, type StaticServer } from "../helpers/http.js";
import { opamRepo, opamText, type OpamRepoBuilder } from "../helpers/opam-repo.js";
import { writeOpamRoot } from "../helpers/opam-root.js";
import { hashesOf } from "../helpers/pull-world.js";
import { removeTestdir, testdir } from "../helpers/testdir.js";
import { FIXTURES, writeStandins, type Standins } from "./plugin-world.js";

/** The compiler versions fixtures/repos/base has. */
const FIXTURE_COMPILERS = ["4.13.1", "4.14.2"];

/** `ocamlc -version` when it is one the fixture repository can lock, else why not. */
export function hostCompiler(): { version: string } | { skip: string } {
  let version: string;
  try {
    version = execFileSync("ocamlc", ["-version"], { encoding: "utf8" }).trim();
  } catch {
    return { skip: "`ocamlc` is not on PATH (apt-get install ocaml-nox), and mirage's Makefile locks `--ocaml-version $(ocamlc --version)`" };
  }
  if (!FIXTURE_COMPILERS.includes(version)) return { skip: `ocamlc is ${version}; fixtures/repos/base only has OCaml ${FIXTURE_COMPILERS.join(", ")}` };
  return { version };
}

/** Every file under `dir` as a repository builder (for the fixture repositories). */
function repoFromDir(dir: string): OpamRepoBuilder {
  const repo = opamRepo();
  const walk = (relative: string): void => {
    for (const name of readdirSync(path.join(dir, relative))) {
      const child = path.join(relative, name);
      if (statSync(path.join(dir, child)).isDirectory()) walk(child);
      else repo.file(child, readFileSync(path.join(dir, child), "utf8"));
    }
  };
  walk("");
  return repo;
}

const dunePackage = (name: string, version: string, url: string, hashes: string[], extra: { depends?: string[]; tags?: string[]; depexts?: string } = {}) =>
  opamText(name, version, {
    depends: extra.depends ?? ['"ocaml"', '"dune" {>= "2.9"}'],
    url,
    checksum: hashes,
    devRepo: `git+https://example.org/${name.replace(/-utils$/, "")}.git`,
    tags: extra.tags,
    extra: ['build: ["dune" "build" "-p" name "-j" jobs]', ...(extra.depexts ? [`depexts: [\n${extra.depexts}\n]`] : [])].join("\n"),
  });

/** numbers.<version>: a dune library whose `variant` says which release was vendored. */
function numbersTree(variant: string): Record<string, string> {
  return {
    "dune-project": "(lang dune 2.9)\n(name numbers)\n",
    "numbers.opam": 'opam-version: "2.0"\nsynopsis: "Small numbers"\n',
    "src/dune": "(library\n (name numbers)\n (public_name numbers))\n",
    "src/numbers.ml": `let add a b = a + b\nlet variant = "${variant}"\n`,
  };
}

export interface Served {
  server: StaticServer;
  /** The repositories, by name, in the order of the switch's selection (first has priority). */
  repos: Record<string, OpamRepoBuilder>;
  /** URL path on the server → sha256, for the archives a pull of the unikernel fetches. */
  archives: Record<string, string>;
}

/** Archives of greet, shout (with shout-utils) and two numbers releases on a loopback server. */
export async function servedRepositories(home: string): Promise<Served> {
  const served = path.join(home, "served");
  mkdirSync(served, { recursive: true });
  const server = await serveDirectory(served);
  const archive = (file: string, build: (out: string) => void) => {
    build(path.join(served, file));
    return { url: `${server.url}/${file}`, hashes: hashesOf(path.join(served, file), ["sha256", "md5"]) };
  };
  const sources = path.join(FIXTURES, "sources");
  const greet = archive("greet-1.0.tar.gz", (out) => makeArchive(sources, ["greet-1.0"], out, "tar.gz"));
  const shout = archive("shout-2.1.tar.gz", (out) => makeArchive(sources, ["shout-2.1"], out, "tar.gz"));
  const mirage = archive("numbers-1.12+dune+mirage.tbz", (out) => archiveOf(numbersTree("mirage"), out, "tbz", "numbers-1.12"));
  const upstream = archive("numbers-1.13+dune.tbz", (out) => archiveOf(numbersTree("upstream"), out, "tbz", "numbers-1.13"));
  const world = opamRepo()
    .file("packages/greet/greet.1.0/opam", dunePackage("greet", "1.0", greet.url, greet.hashes))
    .file("packages/shout/shout.2.1/opam", dunePackage("shout", "2.1", shout.url, shout.hashes, { depends: ['"ocaml"', '"dune" {>= "2.9"}', '"greet" {>= "1.0"}', '"shout-utils" {= version}'] }))
    .file("packages/shout-utils/shout-utils.2.1/opam", dunePackage("shout-utils", "2.1", shout.url, shout.hashes))
    .file("packages/numbers/numbers.1.13+dune/opam", dunePackage("numbers", "1.13+dune", upstream.url, upstream.hashes));
  const gmp = '  ["libgmp-dev"] {os-family = "debian"}\n  ["gmp-devel"] {os-family = "fedora"}';
  const overlay = opamRepo().file(
    "packages/numbers/numbers.1.12+dune+mirage/opam",
    dunePackage("numbers", "1.12+dune+mirage", mirage.url, mirage.hashes, { tags: ["cross-compile"], depexts: gmp }),
  );
  const tool = (name: string, version: string, depends: string[]) => opamText(name, version, { depends, extra: "build: [make]" });
  const tools = opamRepo()
    .file("packages/mirage/mirage.4.11.2/opam", tool("mirage", "4.11.2", ['"ocaml" {>= "4.08"}']))
    .file("packages/ocaml-solo5/ocaml-solo5.1.3.0/opam", tool("ocaml-solo5", "1.3.0", ['"ocaml"', '"solo5" {>= "0.7.5"}']))
    .file("packages/solo5/solo5.0.12.0/opam", tool("solo5", "0.12.0", []))
    .file("packages/opam-monorepo/opam-monorepo.0.5.0/opam", tool("opam-monorepo", "0.5.0", ['"ocaml"']));
  const base = repoFromDir(path.join(FIXTURES, "repos", "base"));
  const archives = { "/greet-1.0.tar.gz": greet.hashes[0]!, "/shout-2.1.tar.gz": shout.hashes[0]!, "/numbers-1.12+dune+mirage.tbz": mirage.hashes[0]! };
  return { server, repos: { "mirage-overlays": overlay, world, default: base, tools }, archives };
}

/** `<home>/.opam` with one switch whose repositories are `served.repos`, as after `opam repo add`. */
export async function writeSwitch(home: string, served: Served, compiler: string): Promise<string> {
  return writeOpamRoot(path.join(home, ".opam"), {
    repositories: Object.fromEntries(Object.entries(served.repos).map(([name, contents]) => [name, { contents, url: `https://example.org/${name}` }])),
    switches: { default: { compiler: [`ocaml-base-compiler.${compiler}`], installed: [`ocaml-base-compiler.${compiler}`, `ocaml.${compiler}`, "dune.3.6.2"] } },
  });
}

/** mirage's generated opam file for `<name>-<target>` (mirage lib/functoria/opam.ml field order). */
export function unikernelOpam(name: string, target: string, monorepo: string[]): string {
  const deps = [
    '"mirage" { build & >= "4.11.0" & < "4.12.0" }',
    '"ocaml-solo5" { build & >= "0.8.2" & < "2.0.0" }',
    '"opam-monorepo" { build & >= "0.3.2" }',
    ...monorepo.map((dep) => dep.replace(/^("[^"]+")(?: \{(.*)\})?$/, (_all, pkg: string, filter?: string) => `${pkg} { ?monorepo${filter ? ` & ${filter.trim()}` : ""} }`)),
    '"solo5" { build & >= "0.7.5" & < "0.13.0" }',
  ];
  return [
    "# Generated by mirage.4.11.2",
    "",
    'opam-version: "2.0"',
    'maintainer: "dummy"',
    'authors: "dummy"',
    'homepage: "dummy"',
    'bug-reports: "dummy"',
    'dev-repo: "git://dummy"',
    `synopsis: "Unikernel ${name} - switch dependencies"`,
    'description: """\nIt assumes that local dependencies are already\nfetched.\n"""',
    "",
    'build: [make "build"]',
    "",
    `install: [ [ "cp" "dist/${name}" "%{bin}%/${name}" ] ]`,
    "",
    `depends: [\n${deps.map((dep) => `  ${dep}`).join("\n")}\n]`,
    "",
    `x-mirage-opam-lock-location: "mirage/${name}-${target}.opam.locked"`,
    "",
    `x-mirage-configure: ["sh" "-exc" "mirage configure -t ${target} --no-extra-repo"]`,
    "",
    'x-mirage-pre-build: [make "lock" "depext-lockfile" "pull"]',
    "",
    'x-mirage-extra-repo: [ ["mirage-overlays" "https://example.org/mirage-overlays"] ]',
    "",
    'x-opam-monorepo-opam-provided: ["mirage" "ocaml-solo5" "opam-monorepo" "solo5"]',
    "",
  ].join("\n");
}

/** mirage's generated Makefile (reference §1.3) for `UNIKERNEL_NAME` in BUILD_DIR ./, one extra repository. */
export function unikernelMakefile(unikernel: string): string {
  return `# Generated by mirage.4.11.2

-include Makefile.user
BUILD_DIR = ./
MIRAGE_DIR = ./mirage
UNIKERNEL_NAME = ${unikernel}
OPAM = opam

all::
\t@$(MAKE) --no-print-directory depends
\t@$(MAKE) --no-print-directory build

.PHONY: all lock install-switch pull clean depend depends build repo-add repo-rm depext-lockfile

repo-add:
\t@printf "\\033[2musing overlay repository mirage: [mirage-overlays] \\033[0m\\n"
\t$(OPAM) repo add mirage-overlays https://example.org/mirage-overlays || $(OPAM) repo set-url mirage-overlays https://example.org/mirage-overlays

repo-rm:
\t@printf "\\033[2mremoving overlay repository [mirage-overlays]\\033[0m\\n"
\t$(OPAM) repo remove mirage-overlays https://example.org/mirage-overlays

depext-lockfile: $(MIRAGE_DIR)/$(UNIKERNEL_NAME).opam.locked
\t@echo " ↳ install external dependencies for monorepo"
\tenv OPAMVAR_monorepo="opam-monorepo" $(OPAM) monorepo depext -y -l $<

$(MIRAGE_DIR)/$(UNIKERNEL_NAME).opam.locked: $(MIRAGE_DIR)/$(UNIKERNEL_NAME).opam
\t@$(MAKE) -s repo-add
\t@echo " ↳ generate lockfile for monorepo dependencies"
\t@env OPAMVAR_monorepo="opam-monorepo" $(OPAM) monorepo lock --require-cross-compile --build-only $(UNIKERNEL_NAME) -l $@ --ocaml-version $(shell ocamlc --version); (ret=$$?; $(MAKE) -s repo-rm && exit $$ret)

lock::
\t@$(MAKE) -B $(MIRAGE_DIR)/$(UNIKERNEL_NAME).opam.locked
\t@echo "The lock file has been generated. Run 'make pull' to retrieve the sources, or 'make install-switch' to install the host build dependencies."

pull:: $(MIRAGE_DIR)/$(UNIKERNEL_NAME).opam.locked
\t@echo " ↳ fetch monorepo dependencies in the duniverse folder"
\t@env OPAMVAR_monorepo="opam-monorepo" $(OPAM) monorepo pull -l $< -r $(abspath $(BUILD_DIR))
\t@echo "The sources have been pulled to the duniverse folder. Run 'make build' to build the unikernel."

install-switch:: $(MIRAGE_DIR)/$(UNIKERNEL_NAME).opam
\t@echo " ↳ opam install switch dependencies"
\t@$(OPAM) install $< --deps-only --yes
\t@$(MAKE) -s depext-lockfile

depends depend::
\t@$(MAKE) --no-print-directory lock
\t@$(MAKE) --no-print-directory install-switch
\t@$(MAKE) --no-print-directory pull

build::
\tdune build --profile release --root . $(BUILD_DIR)dist
\t@echo "Your unikernel binary is now ready in $(BUILD_DIR)dist/${unikernel.replace(/-[^-]+$/, "")}"

clean::
\tmirage clean
`;
}

/**
 * The unikernel's own sources as mirage's configure leaves them for a host build: `main.ml`
 * using the vendored libraries, `dune` building `main.exe` in the default context and copying it to
 * NAME, and `dist/dune` promoting NAME into `dist/`.
 */
export function unikernelSources(name: string, libraries: string[], main: string): Record<string, string> {
  const ctx = '(enabled_if (= %{context_name} "default"))';
  return {
    "config.ml": `open Mirage\nlet () = register "${name}" []\n`,
    "main.ml": main,
    dune: `(executable\n (name main)\n ${ctx}\n (modules main)\n (libraries ${libraries.join(" ")}))\n\n(rule\n (target ${name})\n ${ctx}\n (deps main.exe)\n (action (copy main.exe %{target})))\n`,
    "dist/dune": `(rule\n (mode (promote (until-clean)))\n (target ${name})\n ${ctx}\n (action (copy ../${name} %{target})))\n`,
  };
}

/** A plain dune project vendoring shout and numbers (what ocaml-ci and mirage-ci's monorepo pipeline build). */
export const APP_PROJECT: Record<string, string> = {
  "dune-project": "(lang dune 2.9)\n(name app)\n",
  "app.opam": 'opam-version: "2.0"\nsynopsis: "An application"\ndepends: [\n  "ocaml"\n  "dune"\n  "shout" {>= "2.0"}\n  "numbers"\n]\nbuild: ["dune" "build" "-p" name]\n',
  "bin/dune": "(executable\n (name main)\n (public_name app)\n (libraries shout numbers))\n",
  "bin/main.ml": 'let () = print_endline (Shout.hello "ci" ^ " " ^ Numbers.variant)\n',
};

export interface UnikernelWorld {
  home: string;
  standins: Standins;
  served: Served;
  compiler: string;
  env: NodeJS.ProcessEnv;
}

/** A home with the stand-ins, the served repositories and the opam root whose switch uses them. */
export async function unikernelWorld(compiler: string, prefix = "om-mirage-"): Promise<UnikernelWorld> {
  const home = await testdir({}, prefix);
  const standins = writeStandins(home);
  const served = await servedRepositories(home);
  await writeSwitch(home, served, compiler);
  return { home, standins, served, compiler, env: { DUNE_CACHE: "disabled", FAKE_AVAILABLE: "libgmp-dev", FAKE_INSTALLED: "" } };
}

/** Stops the server and removes the world's directory (undefined: setup failed, nothing to do). */
export async function closeWorld(world: UnikernelWorld | undefined): Promise<void> {
  if (world === undefined) return;
  await world.served.server.close();
  await removeTestdir(world.home);
}

/** Writes `files` under `dir` (created). */
export function writeProject(dir: string, files: Record<string, string>): string {
  for (const [relative, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    writeFileSync(path.join(dir, relative), content);
  }
  return dir;
}

/** Copies `from` to a fresh `to` (a checkout elsewhere: only what `paths` names). */
export function checkout(from: string, to: string, paths: string[]): string {
  mkdirSync(to, { recursive: true });
  for (const relative of paths) cpSync(path.join(from, relative), path.join(to, relative), { recursive: true });
  return to;
}
