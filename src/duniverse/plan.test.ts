// Unit tests of the pure duniverse plan: grouping by normalised dev-repo, directory names, URL choice, clashes.
import { describe, expect, it } from "vitest";
import { parseOpam } from "../opam/parser.js";
import { packageFromOpam } from "../opam/package.js";
import { dirNameOfDevRepo, planDuniverse, resolveDuniverse, type DependencyEntry } from "./plan.js";

const SHA = (n: number) => `sha256=${String(n).padStart(64, "0")}`;

interface Spec {
  devRepo?: string;
  src?: string;
  checksum?: string[];
  flags?: string;
  build?: boolean;
  install?: boolean;
}

function pkg(id: string, spec: Spec, vendored = true, pinned = false): DependencyEntry {
  const [name, version] = [id.slice(0, id.indexOf(".")), id.slice(id.indexOf(".") + 1)];
  const lines = ['opam-version: "2.0"'];
  if (spec.devRepo !== undefined) lines.push(`dev-repo: "${spec.devRepo}"`);
  if (spec.flags !== undefined) lines.push(`flags: [${spec.flags}]`);
  if (spec.build ?? true) lines.push('build: [["dune" "build" "-p" name]]');
  if (spec.install) lines.push('install: [["cp" "a" "b"]]');
  if (spec.src !== undefined) {
    const checksum = (spec.checksum ?? [SHA(0)]).map((c) => `"${c}"`).join(" ");
    lines.push(`url {\n  src: "${spec.src}"\n  checksum: [${checksum}]\n}`);
  }
  const opam = parseOpam(`${lines.join("\n")}\n`, `${id}.opam`);
  return { package: packageFromOpam(opam, name, version), vendored, pinned };
}

const simple = (id: string, repo: string, extra: Spec = {}, vendored = true, pinned = false) =>
  pkg(id, { devRepo: `git+https://github.com/${repo}`, src: `https://${id}.com/${id}.tbz`, ...extra }, vendored, pinned);

describe("dirNameOfDevRepo (Dev_repo.repo_name)", () => {
  const names: [string, string][] = [
    ["git://github.com/ocamllabs/opam-monorepo", "opam-monorepo"],
    ["git://github.com/ocamllabs/opam-monorepo.git", "opam-monorepo"],
    ["git+https://github.com/ocamllabs/opam-monorepo.git", "opam-monorepo"],
    ["git+https://github.com/ocamllabs/opam-monorepo/", "opam-monorepo"],
    ["git+https://github.com/ocamllabs/opam-monorepo.1/", "opam-monorepo"],
    ["git+https://github.com/foo/project.git#branch", "project"],
    ["https://github.com/ocaml/dune.git", "dune_"],
    ["git+https://github.com/mirage/ocaml-uri.git", "ocaml-uri"],
    ["git+https://example.com/x/.hidden.git", "hidden"],
    // A dev-repo without a scheme is a local path (`dev-repo: "fmt"`, the reference's cram test).
    ["file://fmt", "fmt"],
    ["file://../src/fmt.git", "fmt"],
    ["file:///home/me/src/fmt", "fmt"],
  ];
  for (const [devRepo, dir] of names) it(`${devRepo} → ${dir}`, () => expect(dirNameOfDevRepo(devRepo)).toBe(dir));
  for (const devRepo of ["", ".", "/", "./.", "...", "///", "https://github.com", "https://github.com/"]) {
    it(`rejects ${JSON.stringify(devRepo)}`, () => {
      expect(() => dirNameOfDevRepo(devRepo)).toThrow(`unexpected empty string while computing name for dev_repo: "${devRepo}"`);
    });
  }
});

describe("planDuniverse: which packages", () => {
  it("keeps only vendored, non-safe packages", () => {
    const plan = planDuniverse([
      simple("b.1", "b/b"),
      simple("not-vendored.1", "n/n", {}, false),
      simple("dune.3.0", "ocaml/dune"),
      simple("ocaml.5.0", "ocaml/ocaml"),
      simple("compiler.1", "x/compiler", { flags: "compiler" }),
      simple("conf-x.1", "x/conf-x", { flags: "compiler conf" }),
      pkg("no-url.1", { devRepo: "git+https://github.com/x/no-url" }),
      simple("virtual.1", "x/virtual", { build: false }),
    ]);
    expect(plan.repos.map((r) => r.dir)).toEqual(["b"]);
    expect(plan.warnings).toEqual([]);
  });

  it("counts install-only packages as non-virtual", () => {
    expect(planDuniverse([simple("inst.1", "x/inst", { build: false, install: true })]).repos.map((r) => r.dir)).toEqual(["inst"]);
  });

  it("warns about and skips packages without a dev-repo", () => {
    const plan = planDuniverse([pkg("no-dev-repo.1", { src: "https://n.com/n.tbz" })]);
    expect(plan.repos).toEqual([]);
    expect(plan.warnings).toEqual([
      "Package no-dev-repo.1 has no dev-repo specified, but it needs a dev-repo to be successfully included in the duniverse.",
    ]);
  });
});

describe("planDuniverse: grouping", () => {
  it("groups packages of one dev-repo, names the dir after it, sorts provides", () => {
    const src = "https://github.com/ocaml/dune/releases/download/3.20.2/dune-3.20.2.tbz";
    const extra = { src, checksum: [SHA(1), `sha512=${"e".repeat(128)}`] };
    const plan = planDuniverse([
      pkg("dune-configurator.3.20.2", { devRepo: "git+https://github.com/ocaml/dune.git", ...extra }),
      pkg("dune-build-info.3.20.2", { devRepo: "git+https://github.com/ocaml/dune.git", ...extra }),
      simple("a.1", "a/a"),
    ]);
    expect(plan.repos).toEqual([
      { dir: "a", url: "https://a.1.com/a.1.tbz", git: false, hashes: [SHA(0)], provides: [{ name: "a", version: "1" }], devRepos: ["git+https://github.com/a/a"] },
      {
        dir: "dune_",
        url: src,
        git: false,
        hashes: extra.checksum,
        provides: [
          { name: "dune-build-info", version: "3.20.2" },
          { name: "dune-configurator", version: "3.20.2" },
        ],
        devRepos: ["git+https://github.com/ocaml/dune.git"],
      },
    ]);
  });

  it("groups by normalised dev-repo (scheme, .git, trailing / and #fragment ignored)", () => {
    const src = "https://github.com/mirage/mirage-clock/releases/download/v4.2.0/mirage-clock-4.2.0.tbz";
    const plan = planDuniverse([
      pkg("mirage-clock.4.2.0", { devRepo: "git://github.com/mirage/mirage-clock", src }),
      pkg("mirage-clock-unix.4.2.0", { devRepo: "git+https://github.com/mirage/mirage-clock.git", src }),
      pkg("mirage-clock-solo5.4.2.0", { devRepo: "https://github.com/mirage/mirage-clock/#main", src }),
    ]);
    expect(plan.repos).toHaveLength(1);
    expect(plan.repos[0]!.dir).toBe("mirage-clock");
    expect(plan.repos[0]!.provides.map((p) => p.name)).toEqual(["mirage-clock", "mirage-clock-solo5", "mirage-clock-unix"]);
  });

  it("takes one archive published under several URLs when they share a checksum", () => {
    const plan = planDuniverse([
      pkg("foo.1", { devRepo: "git+https://github.com/foo/project", src: "https://test.com/foo.tbz", checksum: [SHA(0)] }),
      pkg("foo-branch.1", { devRepo: "git+https://github.com/foo/project.git#branch", src: "https://test.com/foo-branch.tbz", checksum: [SHA(0)] }),
    ]);
    expect(plan.repos.map((r) => [r.dir, r.url])).toEqual([["project", "https://test.com/foo-branch.tbz"]]);
    expect(plan.warnings).toEqual([]);
  });

  it("prefers the pinned package's URL and says so", () => {
    const plan = planDuniverse([
      pkg("h2.0.8.0", { devRepo: "git+https://github.com/anmonteiro/ocaml-h2.git", src: "https://h.com/h2-0.8.0.tbz", checksum: [SHA(1)] }),
      pkg("h2-lwt.dev", { devRepo: "git+https://github.com/anmonteiro/ocaml-h2.git", src: "git+https://github.com/anmonteiro/ocaml-h2.git#main" }, true, true),
    ]);
    expect(plan.repos.map((r) => [r.dir, r.url, r.git])).toEqual([["ocaml-h2", "git+https://github.com/anmonteiro/ocaml-h2.git#main", true]]);
    expect(plan.warnings).toEqual([
      [
        "The following packages come from the same repository git+https://github.com/anmonteiro/ocaml-h2.git but are associated with different URLs:",
        "h2.0.8.0: https://h.com/h2-0.8.0.tbz",
        "h2-lwt.dev: git+https://github.com/anmonteiro/ocaml-h2.git#main",
        "The URL for the pinned package(s) was selected: h2-lwt.dev: git+https://github.com/anmonteiro/ocaml-h2.git#main",
      ].join("\n"),
    ]);
  });

  it("refuses several unpinned archives for one repository with a user error", () => {
    const entries = [
      pkg("foo.1.0", { devRepo: "git+https://github.com/x/foo.git", src: "https://x.com/foo-1.0.tbz", checksum: [SHA(1)] }),
      pkg("foo-lwt.1.1", { devRepo: "git+https://github.com/x/foo.git", src: "https://x.com/foo-1.1.tbz", checksum: [SHA(2)] }),
    ];
    expect(() => planDuniverse(entries)).toThrow(expect.objectContaining({ code: "DUNIVERSE_URL_CONFLICT" }));
    expect(() => planDuniverse(entries)).toThrow(
      "The following packages come from the same repository git+https://github.com/x/foo.git but are using different archives:\nfoo.1.0: https://x.com/foo-1.0.tbz\nfoo-lwt.1.1: https://x.com/foo-1.1.tbz",
    );
  });

  it("reports dev-repos that would share a directory (error-on-directory-conflict)", () => {
    const entries = [
      pkg("foo.0.1.0", { devRepo: "git+https://github.com/foo/project", src: "https://test.com/foo.tbz" }),
      pkg("foo-branch.0.1.0", { devRepo: "git+https://github.com/foo/project.git#branch", src: "https://test.com/foo-branch.tbz" }),
      pkg("bar.0.1.0", { devRepo: "git+https://github.com/bar/project", src: "https://test.com/bar.tbz" }),
    ];
    expect(() => planDuniverse(entries)).toThrow(expect.objectContaining({ code: "DUNIVERSE_DIR_CLASH" }));
    expect(() => planDuniverse(entries)).toThrow(
      [
        "Multiple dev-repos would be vendored into the directory: duniverse/project",
        "Dev-repos:",
        "- git+https://github.com/foo/project.git#branch",
        "- git+https://github.com/foo/project",
        "- git+https://github.com/bar/project",
      ].join("\n"),
    );
  });

  it("refuses directory names that pull would refuse: a case variant of dune, names equal but for case", () => {
    const dune = [pkg("d.1", { devRepo: "git+https://github.com/x/Dune.git", src: "https://x.com/d.tbz" })];
    expect(() => planDuniverse(dune)).toThrow(expect.objectContaining({ code: "DUNIVERSE_DIR_INVALID" }));
    expect(() => planDuniverse(dune)).toThrow("duniverse/Dune (dev-repo git+https://github.com/x/Dune.git): `Dune` is a file that pull writes in duniverse/");
    const cased = [simple("a.1", "x/Foo"), simple("b.1", "y/foo")];
    expect(() => planDuniverse(cased)).toThrow('duniverse/foo (dev-repo git+https://github.com/y/foo): the same directory as "Foo" (git+https://github.com/x/Foo) on case-insensitive filesystems');
  });

  it("reports a dev-repo that gives no directory name", () => {
    expect(() => planDuniverse([pkg("x.1", { devRepo: "https://github.com", src: "https://x.com/x.tbz" })])).toThrow(
      'unexpected empty string while computing name for dev_repo: "https://github.com"',
    );
  });
});

describe("resolveDuniverse", () => {
  it("pins git sources to commits and leaves archives alone", async () => {
    const plan = planDuniverse([
      pkg("foo.dev", { devRepo: "git+https://github.com/org/foo.git", src: "git+https://github.com/org/foo.git", checksum: [] }),
      pkg("bar.dev", { devRepo: "git+https://github.com/org/bar.git", src: "git+https://github.com/org/bar.git#v1.0", checksum: [] }),
      simple("a.1", "a/a"),
    ]);
    const asked: string[] = [];
    const repos = await resolveDuniverse(plan.repos, async (url) => {
      asked.push(url);
      return url.endsWith("#v1.0") ? "b".repeat(40) : "f".repeat(40);
    });
    expect(asked.sort()).toEqual(["git+https://github.com/org/bar.git#v1.0", "git+https://github.com/org/foo.git"]);
    expect(repos).toEqual([
      { dir: "a", url: "https://a.1.com/a.1.tbz", hashes: [SHA(0)], provides: [{ name: "a", version: "1" }] },
      { dir: "bar", url: `git+https://github.com/org/bar.git#${"b".repeat(40)}`, hashes: [], provides: [{ name: "bar", version: "dev" }] },
      { dir: "foo", url: `git+https://github.com/org/foo.git#${"f".repeat(40)}`, hashes: [], provides: [{ name: "foo", version: "dev" }] },
    ]);
  });

  it("passes a resolution failure on", async () => {
    const plan = planDuniverse([pkg("foo.dev", { devRepo: "git+https://h/foo.git", src: "git+https://h/foo.git#nope", checksum: [] })]);
    await expect(resolveDuniverse(plan.repos, async () => Promise.reject(new Error("No nope ref for https://h/foo.git")))).rejects.toThrow(
      "No nope ref for https://h/foo.git",
    );
  });
});
