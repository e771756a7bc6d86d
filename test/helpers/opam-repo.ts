// Builds small but real opam repositories for tests: opamRepo().pkg("a", "1", { depends: ['"b" {>= "1"}'] })
// .writeTo(dir) writes `repo`, `packages/<n>/<n>.<v>/opam` files; .writeTarGz(file) packs them.
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { mkdtemp, rm } from "node:fs/promises";
import * as tar from "tar";

export interface PkgOptions {
  /** Formula items as opam text, e.g. `'"b" {>= "1"}'`, `'"dune"'`. */
  depends?: string[];
  depopts?: string[];
  conflicts?: string[];
  /** Source archive URL (`url { src: … }`). */
  url?: string;
  /** Checksums for the url section, e.g. `sha256=…`. */
  checksum?: string[];
  devRepo?: string;
  available?: string;
  flags?: string[];
  tags?: string[];
  /** Extra opam text appended verbatim. */
  extra?: string;
  /** The whole file, verbatim (the other options are ignored). */
  raw?: string;
}

const quote = (text: string): string => JSON.stringify(text);

/** The opam file text for one package version. */
export function opamText(name: string, version: string, options: PkgOptions = {}): string {
  if (options.raw !== undefined) return options.raw;
  const lines = ['opam-version: "2.0"', `synopsis: ${quote(`${name} ${version}, a test package`)}`, 'maintainer: "tests@example.com"'];
  if (options.tags) lines.push(`tags: [${options.tags.map(quote).join(" ")}]`);
  if (options.flags) lines.push(`flags: [${options.flags.join(" ")}]`);
  if (options.devRepo) lines.push(`dev-repo: ${quote(options.devRepo)}`);
  for (const [field, items] of [["depends", options.depends], ["depopts", options.depopts], ["conflicts", options.conflicts]] as const) {
    if (items) lines.push(`${field}: [\n${items.map((item) => `  ${item}`).join("\n")}\n]`);
  }
  if (options.available) lines.push(`available: ${options.available}`);
  if (options.url) {
    const sums = options.checksum ? `\n  checksum: [${options.checksum.map(quote).join(" ")}]` : "";
    lines.push(`url {\n  src: ${quote(options.url)}${sums}\n}`);
  }
  if (options.extra) lines.push(options.extra);
  return `${lines.join("\n")}\n`;
}

export class OpamRepoBuilder {
  private readonly entries = new Map<string, string>();

  constructor() {
    this.entries.set("repo", 'opam-version: "2.0"\n');
  }

  pkg(name: string, version: string, options: PkgOptions = {}): this {
    this.entries.set(`packages/${name}/${name}.${version}/opam`, opamText(name, version, options));
    return this;
  }

  /** Any other file of the repository (e.g. `packages/a/a.1/files/p.patch`, `version`). */
  file(relative: string, content: string): this {
    this.entries.set(relative, content);
    return this;
  }

  files(): Record<string, string> {
    return Object.fromEntries(this.entries);
  }

  async writeTo(dir: string): Promise<string> {
    for (const [relative, content] of this.entries) {
      const target = path.join(dir, relative);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    return dir;
  }

  /** Packs the repository as a .tar.gz whose members start with `prefix/` (or none with ""). */
  async writeTarGz(file: string, prefix = "repository"): Promise<string> {
    const staging = await mkdtemp(path.join(os.tmpdir(), "om-repo-tar-"));
    try {
      const base = prefix === "" ? staging : path.join(staging, prefix);
      await this.writeTo(base);
      await mkdir(path.dirname(file), { recursive: true });
      const members = prefix === "" ? [...new Set([...this.entries.keys()].map((k) => k.split("/")[0]!))] : [prefix];
      await tar.c({ gzip: true, file, cwd: staging, portable: true }, members);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    return file;
  }
}

export function opamRepo(): OpamRepoBuilder {
  return new OpamRepoBuilder();
}
