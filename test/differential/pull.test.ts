// `pull` against the real opam-monorepo 0.4.3: archives of every kind served on 127.0.0.1
// (tar.gz, tbz, tar.xz, zip; exec bits, symlinks, a nested duniverse/, two packages of one
// dev-repo), locked by both tools (the same lock file), then pulled by both: the duniverse/ trees
// must be the same (paths, file contents, modes, symlink targets), apart from the text of
// duniverse/README.md (both write one; ours says more).
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveDirectory, type StaticServer } from "../helpers/http.js";
import { removeTestdir, testdir } from "../helpers/testdir.js";
import { archiveOf, type ArchiveFormat, type TreeEntry } from "../helpers/archives.js";
import { hashesOf } from "../helpers/pull-world.js";
import { firstDifference, runOurs, runReference, unavailableReason, type Project, type Sandbox } from "./harness.js";
import { FIXED_VARS_FIELD, localOpam, smallRepository } from "./world.js";

const reason = unavailableReason();
if (reason !== undefined) console.log(`differential pull: skipped, ${reason}`);
const suite = reason === undefined ? describe : describe.skip;

let sandbox: Sandbox;
let server: StaticServer;

function sourceTree(name: string): Record<string, TreeEntry> {
  return {
    "dune-project": "(lang dune 3.0)\n",
    [`${name}.opam`]: 'opam-version: "2.0"\n',
    "src/dune": `(library (name ${name.replace(/\W/g, "_")}))\n`,
    "src/main.ml": `let name = "${name}"\n`,
    "src/read-only.ml": { content: "(* read only *)\n", mode: 0o444 },
    "scripts/configure.sh": { content: "#!/bin/sh\nexit 0\n", mode: 0o755 },
    "link-to-main": { symlink: "src/main.ml" },
    "dir-link": { symlink: "src" },
    "duniverse/nested/vendored.ml": "(* a nested duniverse *)\n",
    "empty/.keep": "",
  };
}

const SOURCES: { name: string; format: ArchiveFormat; extra?: string }[] = [
  { name: "alpha", format: "tbz" },
  { name: "beta", format: "tar.gz" },
  { name: "gamma", format: "tar.xz" },
  { name: "delta", format: "zip" },
];

/** What a directory holds, one line per entry: path, kind, mode, content digest or link target. */
function treeListing(root: string): string[] {
  const lines: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      const relative = path.relative(root, file);
      const stat = lstatSync(file);
      const mode = (stat.mode & 0o777).toString(8);
      if (stat.isSymbolicLink()) lines.push(`${relative} -> ${readlinkSync(file)}`);
      else if (stat.isDirectory()) {
        lines.push(`${relative}/ ${mode}`);
        walk(file);
      } else lines.push(`${relative} ${mode} ${createHash("sha256").update(readFileSync(file)).digest("hex").slice(0, 16)}`);
    }
  };
  walk(root);
  return lines;
}

/** A directory of links to every command of PATH except those starting with `prefix`; its path. */
function pathWithout(prefix: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const from of (process.env.PATH ?? "").split(":")) {
    if (!existsSync(from)) continue;
    for (const name of readdirSync(from)) {
      if (!name.startsWith(prefix) && !existsSync(path.join(dir, name))) symlinkSync(path.join(from, name), path.join(dir, name));
    }
  }
  return dir;
}

async function repository(): Promise<string> {
  const served = path.join(sandbox.dir, "served");
  const repo = smallRepository();
  for (const { name, format } of SOURCES) {
    const file = archiveOf(sourceTree(name), path.join(served, `${name}-1.0.${format}`), format, `${name}-1.0`);
    repo.pkg(name, "1.0", {
      depends: ['"dune"'],
      devRepo: `git+https://example.com/${name}.git`,
      url: `${server.url}/${path.basename(file)}`,
      checksum: hashesOf(file, ["sha256"]),
      extra: 'build: ["dune" "build"]',
    });
  }
  // Two packages of one dev-repo and one archive: one directory.
  const alpha = path.join(served, "alpha-1.0.tbz");
  repo.pkg("alpha-extra", "1.0", { depends: ['"dune"', '"alpha"'], devRepo: "git+https://example.com/alpha.git", url: `${server.url}/alpha-1.0.tbz`, checksum: hashesOf(alpha, ["sha256"]), extra: 'build: ["dune" "build"]' });
  return repo.writeTo(path.join(sandbox.dir, "repository"));
}

suite("pull: the same duniverse/ as the reference", () => {
  beforeAll(async () => {
    const dir = await testdir({}, "om-diff-pull-");
    sandbox = { dir, home: path.join(dir, "home") };
    server = await serveDirectory(path.join(dir, "served"));
  });
  afterAll(async () => {
    await server?.close();
    await removeTestdir(sandbox.dir);
  });

  it("locks alike, then pulls the same files, modes and symlinks", async () => {
    const repoDir = await repository();
    const depends = [...SOURCES.map(({ name }) => `"${name}"`), '"alpha-extra"'];
    const project: Project = {
      files: { "dune-project": "(lang dune 3.0)\n", "app.opam": localOpam(depends, [`x-opam-monorepo-opam-repositories: ["file://${repoDir}"]`, FIXED_VARS_FIELD]) },
      args: ["--ocaml-version", "4.14.2"],
      env: {},
      lockfile: "app.opam.locked",
    };
    const [refDir, ourDir] = [path.join(sandbox.dir, "reference"), path.join(sandbox.dir, "ours")];
    const lockedRef = await runReference(refDir, project);
    const lockedOurs = await runOurs(ourDir, project, sandbox);
    expect(lockedOurs.lock, firstDifference(lockedRef.lock ?? "", lockedOurs.lock ?? "")).toBe(lockedRef.lock);

    const pull: Project = { ...project, args: [], fresh: false };
    const pulledRef = await runReference(refDir, pull, "pull");
    const pulledOurs = await runOurs(ourDir, pull, sandbox, "pull");
    expect(pulledRef.code, pulledRef.stderr).toBe(0);
    expect(pulledOurs.code, pulledOurs.stderr).toBe(0);
    // Both write duniverse/README.md; its text is ours (DESIGN: our own README), the rest is the same.
    const readme = (line: string) => (line.startsWith("README.md ") ? line.slice(0, "README.md 644".length) : line);
    const reference = treeListing(path.join(refDir, "duniverse")).map(readme);
    const ours = treeListing(path.join(ourDir, "duniverse")).map(readme);
    expect(ours).toEqual(reference);
    expect(reference).toContain("alpha/link-to-main -> src/main.ml");
    expect(reference.some((line) => line.startsWith("delta/scripts/configure.sh 755 "))).toBe(true);

    // S17: without ocamlc on PATH the reference fails, ours warns and pulls the same tree.
    const noOcaml = { ...pull, env: { PATH: pathWithout("ocaml", path.join(sandbox.dir, "bin-without-ocaml")) } };
    const refAgain = await runReference(refDir, noOcaml, "pull");
    const oursAgain = await runOurs(ourDir, noOcaml, sandbox, "pull");
    expect(refAgain.code, refAgain.stderr).not.toBe(0);
    expect(oursAgain.code, oursAgain.stderr).toBe(0);
    expect(oursAgain.stderr).toContain("[WARNING] unable to find an installed ocamlc");
    expect(treeListing(path.join(ourDir, "duniverse")).map(readme)).toEqual(reference);
  });
});
