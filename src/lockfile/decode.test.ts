// Unit tests of lock file decoding: every check and exact message of the reference (§2.6), and round trips.
import { afterEach, describe, expect, it } from "vitest";
import path from "node:path";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { removeTestdir, testdir } from "../../test/helpers/testdir.js";
import { parseOpam, parseValue } from "../opam/parser.js";
import { decodeLockfile } from "./decode.js";
import { lockfileText, parseLockfile, readLockfile, writeLockfile } from "./file.js";
import type { Lockfile } from "./model.js";

const ROOT = "/home/user/proj";
const HEADER = 'opam-version: "2.0"\nsynopsis: "opam-monorepo generated lockfile"\nmaintainer: "opam-monorepo"\n';
const TAIL = 'x-opam-monorepo-root-packages: ["p"]\nx-opam-monorepo-version: "0.3"\n';
const decode = (text: string, file = "x.opam.locked") => decodeLockfile(parseOpam(text, file), ROOT);

const SIMPLE_LOCK = `${HEADER}depends: [
  "b" {= "1" & ?vendor}
  "base-unix" {= "base"}
  "c" {= "1" & ?vendor}
  "ocaml" {= "4.13.1"}
]
pin-depends: [
  ["b.1" "https://b.com/b.tbz"]
  ["c.1" "https://c.com/c.tbz"]
]
x-opam-monorepo-duniverse-dirs: [
  [
    "https://b.com/b.tbz"
    "b"
    [
      "sha256=0000000000000000000000000000000000000000000000000000000000000000"
    ]
  ]
  [
    "https://c.com/c.tbz"
    "c"
    [
      "sha256=0000000000000000000000000000000000000000000000000000000000000001"
    ]
  ]
]
x-opam-monorepo-opam-repositories: [
  "file://$OPAM_MONOREPO_CWD/minimal-repo" "file://$OPAM_MONOREPO_CWD/repo"
]
x-opam-monorepo-root-packages: ["simple-lock"]
x-opam-monorepo-version: "0.3"
`;

describe("decodeLockfile", () => {
  it("reads the §2.3 lock file", () => {
    const lock = decode(SIMPLE_LOCK);
    expect(lock.version).toBe("0.3");
    expect(lock.rootPackages).toEqual(["simple-lock"]);
    expect(lock.depends).toEqual([
      { name: "b", version: "1", vendored: true },
      { name: "base-unix", version: "base", vendored: false },
      { name: "c", version: "1", vendored: true },
      { name: "ocaml", version: "4.13.1", vendored: false },
    ]);
    expect(lock.repos).toEqual([
      { dir: "b", url: "https://b.com/b.tbz", hashes: ["sha256=0000000000000000000000000000000000000000000000000000000000000000"], provides: [{ name: "b", version: "1" }] },
      { dir: "c", url: "https://c.com/c.tbz", hashes: ["sha256=0000000000000000000000000000000000000000000000000000000000000001"], provides: [{ name: "c", version: "1" }] },
    ]);
    expect(lock.opamRepositories).toEqual([`file://${ROOT}/minimal-repo`, `file://${ROOT}/repo`]);
    expect(lock.cliArgs).toBeUndefined();
    expect(lock.globalOpamVars).toBeUndefined();
    expect(lock.opamProvided).toBeUndefined();
  });

  it("re-encodes the §2.3 lock file byte for byte", () => {
    expect(lockfileText(decode(SIMPLE_LOCK), ROOT)).toBe(SIMPLE_LOCK);
  });

  it("accepts `?vendor & = v`, a missing depends and missing duniverse-dirs", () => {
    const lock = decode(`${HEADER}depends: [ "a" {?vendor & = "1"} ]\n${TAIL}`);
    expect(lock.depends).toEqual([{ name: "a", version: "1", vendored: true }]);
    expect(decode(HEADER + TAIL).depends).toEqual([]);
    expect(decode(HEADER + TAIL).repos).toEqual([]);
  });

  it("groups pin-depends by URL and ignores unreferenced dirs", () => {
    const lock = decode(`${HEADER}pin-depends: [["y.1" "https://x.com/x.tbz"] ["x.1" "https://x.com/x.tbz"]]
x-opam-monorepo-duniverse-dirs: [["https://x.com/x.tbz" "x"] ["https://unused.com/u.tbz" "u"]]
${TAIL}`);
    expect(lock.repos).toEqual([
      { dir: "x", url: "https://x.com/x.tbz", hashes: [], provides: [{ name: "x", version: "1" }, { name: "y", version: "1" }] },
    ]);
  });
});

describe("decodeLockfile errors", () => {
  const rejects = (text: string, message: string, code?: string) => {
    let caught: unknown;
    try {
      decode(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).message).toBe(message);
    if (code !== undefined) expect((caught as { code: string }).code).toBe(code);
  };

  it("requires a version", () => {
    rejects(HEADER, "Missing x-opam-monorepo-version field in opam-monorepo lockfile x.opam.locked", "LOCKFILE_INVALID");
  });
  it("requires a well-formed version string", () => {
    rejects(`x-opam-monorepo-version: "three"\n`, 'Invalid lockfile version: "three"');
    rejects(`x-opam-monorepo-version: "0.3.1"\n`, 'Invalid lockfile version: "0.3.1"');
    rejects(`x-opam-monorepo-version: 3\n`, "Error in opam file x.opam.locked, [1:25]: Expected a string, got: 3");
  });
  it("says which side must upgrade", () => {
    rejects(
      `x-opam-monorepo-version: "0.2"\n`,
      "opam-monorepo lockfile version 0.2 is too old. Please regenerate the lockfile using your current opam-monorepo plugin or install an older version of the plugin.",
      "LOCKFILE_TOO_OLD",
    );
    rejects(
      `x-opam-monorepo-version: "0.999"\n`,
      "Incompatible opam-monorepo lockfile version 0.999. Please upgrade your opam-monorepo plugin.",
      "LOCKFILE_TOO_NEW",
    );
    rejects(`x-opam-monorepo-version: "1.0"\n`, "Incompatible opam-monorepo lockfile version 1.0. Please upgrade your opam-monorepo plugin.");
  });
  it("requires root packages, as a list of strings", () => {
    rejects(`x-opam-monorepo-version: "0.3"\n`, "Missing x-opam-monorepo-root-packages field in opam-monorepo lockfile x.opam.locked");
    rejects(`x-opam-monorepo-version: "0.3"\nx-opam-monorepo-root-packages: [p]\n`, "Error in opam file x.opam.locked, [2:32]: Expected a string, got: p");
  });
  it("requires depends to be equality constraints", () => {
    const message =
      "Invalid opam-monorepo lockfile: depends should be expressed as a list equality constraints optionally with a `vendor` variable";
    for (const depends of ['"a" {>= "1"}', '"a"', '"a" {= "1" & ?other}', '"a" {= "1"} | "b" {= "1"}', '"a" {= "1" & with-test}']) {
      rejects(`${HEADER}depends: [ ${depends} ]\n${TAIL}`, message, "LOCKFILE_INVALID");
    }
  });
  it("names the file and position of a bad depends atom in the hint", () => {
    try {
      decode(`${HEADER}depends: [\n  "a" {>= "1"}\n]\n${TAIL}`, "p.opam.locked");
    } catch (error) {
      expect((error as { hint: string }).hint).toBe('p.opam.locked, [5:2]: "a" {>= "1"}');
    }
    expect.assertions(1);
  });
  it("checks the shape of duniverse-dirs and its hashes", () => {
    rejects(
      `${HEADER}x-opam-monorepo-duniverse-dirs: [["https://x.com/x.tbz"]]\n${TAIL}`,
      'Error in opam file x.opam.locked, [4:33]: Expected a list [ "url" "repo name" [<hashes>] ], got: ["https://x.com/x.tbz"]',
    );
    rejects(
      `${HEADER}x-opam-monorepo-duniverse-dirs: [["https://x.com/x.tbz" "x" ["sha256=abc"]]]\n${TAIL}`,
      "Error in opam file x.opam.locked, [4:61]: Invalid hash: sha256=abc",
    );
    rejects(`${HEADER}x-opam-monorepo-duniverse-dirs: "x"\n${TAIL}`, 'Error in opam file x.opam.locked, [4:32]: Expected a list, got: "x"');
  });
  it("requires a dir for every pinned URL", () => {
    rejects(
      `${HEADER}pin-depends: [["x.1" "https://x.com/x.tbz"]]\n${TAIL}`,
      "Invalid opam-monorepo lockfile: Missing dir for https://x.com/x.tbz in x-opam-monorepo-duniverse-dirs",
    );
  });
  it("refuses directories pull would refuse, naming each entry's position and URL", () => {
    const pins = `pin-depends: [["x.1" "https://x.com/x.tbz"] ["y.1" "https://y.com/y.tbz"]]\n`;
    rejects(
      `${HEADER}${pins}x-opam-monorepo-duniverse-dirs: [["https://x.com/x.tbz" "dune"] ["https://y.com/y.tbz" "y"] ["https://unused/u.tbz" ".u"]]\n${TAIL}`,
      "Error in opam file x.opam.locked, [5:56]: invalid duniverse directory \"dune\" for https://x.com/x.tbz: `dune` is a file that pull writes in duniverse/",
      "DUNIVERSE_DIR_INVALID",
    );
    rejects(
      `${HEADER}${pins}x-opam-monorepo-duniverse-dirs: [\n  ["https://x.com/x.tbz" ".x"]\n  ["https://y.com/y.tbz" ".x"]\n]\n${TAIL}`,
      [
        "Invalid duniverse directories in opam file x.opam.locked:",
        '  [6:25]: ".x" for https://x.com/x.tbz: a directory name must not start with `.` (hidden names are reserved for opam-monorepo\'s own files)',
        '  [7:25]: ".x" for https://y.com/y.tbz: a directory name must not start with `.` (hidden names are reserved for opam-monorepo\'s own files)',
      ].join("\n"),
    );
  });
  it("requires git pins to be resolved to a commit", () => {
    rejects(
      `${HEADER}pin-depends: [["x.1" "git+https://x.com/x.git"]]\nx-opam-monorepo-duniverse-dirs: [["git+https://x.com/x.git" "x"]]\n${TAIL}`,
      "Invalid-monorepo lockfile pin URL git+https://x.com/x.git: Git URL must be resolved to a commit hash",
    );
  });
  it("checks the source config fields and their $OPAM_MONOREPO_CWD use", () => {
    rejects(
      `${HEADER}x-opam-monorepo-opam-provided: 42\n${TAIL}`,
      "Error in opam file x.opam.locked, [4:31]: Expected a list or a string, got: 42",
    );
    rejects(
      `${HEADER}x-opam-monorepo-opam-repositories: ["https://$OPAM_MONOREPO_CWD/r"]\n${TAIL}`,
      '$OPAM_MONOREPO_CWD can only be used to rewrite the root part of file:// URLs. "https://$OPAM_MONOREPO_CWD/r" is an invalid use of the variable.',
    );
  });
});

function richLockfile(): Lockfile {
  const repos = [
    {
      dir: "foo",
      url: "git+https://github.com/org/foo.git#0123456789abcdef0123456789abcdef01234567",
      hashes: [],
      provides: [
        { name: "foo", version: "dev" },
        { name: "foo-lwt", version: "dev" },
      ],
    },
    {
      dir: "dune_",
      url: "https://github.com/ocaml/dune/releases/download/3.20.2/dune-3.20.2.tbz",
      hashes: ["sha256=" + "a".repeat(64), "sha512=" + "b".repeat(128)],
      provides: [{ name: "dune-build-info", version: "3.20.2" }],
    },
  ];
  return {
    version: "0.3",
    rootPackages: ["myproj", "another"],
    depends: [
      { name: "dune", version: "3.20.2", vendored: false },
      { name: "dune-build-info", version: "3.20.2", vendored: true },
      { name: "foo", version: "dev", vendored: true },
      { name: "foo-lwt", version: "dev", vendored: true },
      { name: "ocaml", version: "5.2.0", vendored: false },
    ],
    depexts: [{ packages: ["pkg-config"], filter: parseValue('os-family = "debian" & arch != "arm"') }],
    pinDepends: [
      { id: "dune-build-info.3.20.2", url: repos[1]!.url },
      { id: "foo-lwt.dev", url: repos[0]!.url },
      { id: "foo.dev", url: repos[0]!.url },
    ],
    repos,
    cliArgs: ["--opam-provided", "[ocamlfind]", "--recurse"],
    globalOpamVars: new Map<string, boolean | string | string[]>([
      ["arch", "x86_64"],
      ["os", "linux"],
      ["with", ["a", "b"]],
      ["yes", true],
    ]),
    opamProvided: ["ocamlfind"],
    opamRepositories: [`git+file://${ROOT}/overlays#abc`, "git+https://github.com/ocaml/opam-repository.git#def"],
  };
}

/** The model with positions dropped and lists in the order the encoder writes them. */
function canonical(lockfile: Lockfile): unknown {
  return JSON.parse(JSON.stringify({ ...lockfile, globalOpamVars: lockfile.globalOpamVars && [...lockfile.globalOpamVars] }, (key, value) => (key === "pos" ? undefined : value)));
}

describe("round trip", () => {
  it("decode(encode(x)) = x", () => {
    const lockfile = richLockfile();
    const text = lockfileText(lockfile, ROOT);
    expect(text).toContain('"git+file://$OPAM_MONOREPO_CWD/overlays#abc"');
    const decoded = parseLockfile(text, "rich.opam.locked", ROOT);
    const expected = { ...lockfile, rootPackages: ["another", "myproj"], repos: [...lockfile.repos].reverse(), pinDepends: [lockfile.pinDepends[0], lockfile.pinDepends[2], lockfile.pinDepends[1]] };
    expect(canonical(decoded)).toEqual(canonical(expected as Lockfile));
    expect(lockfileText(decoded, ROOT)).toBe(text);
  });
});

describe("readLockfile / writeLockfile", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map(removeTestdir));
  });

  it("writes atomically and reads back", async () => {
    const dir = await testdir({});
    dirs.push(dir);
    const file = path.join(dir, "p.opam.locked");
    await writeFile(file, "old content");
    await writeLockfile(file, richLockfile(), ROOT);
    expect(await readdir(dir)).toEqual(["p.opam.locked"]);
    const text = await readFile(file, "utf8");
    expect(text).toBe(lockfileText(richLockfile(), ROOT));
    expect((await readLockfile(file, ROOT)).rootPackages).toEqual(["another", "myproj"]);
  });

  it("names the file in errors", async () => {
    const dir = await testdir({ "bad.opam.locked": 'x-opam-monorepo-version: "0.2"\n', "syntax.opam.locked": "depends: [\n" });
    dirs.push(dir);
    await expect(readLockfile(path.join(dir, "missing.opam.locked"), dir)).rejects.toMatchObject({ code: "LOCKFILE_MISSING" });
    await expect(readLockfile(path.join(dir, "bad.opam.locked"), dir)).rejects.toMatchObject({ code: "LOCKFILE_TOO_OLD" });
    await expect(readLockfile(path.join(dir, "syntax.opam.locked"), dir)).rejects.toThrow(path.join(dir, "syntax.opam.locked"));
  });
});

describe("errors without a node name the file in their hint", () => {
  it("missing dir", () => {
    try {
      decode(`${HEADER}pin-depends: [["x.1" "https://x.com/x.tbz"]]\n${TAIL}`, "w.opam.locked");
    } catch (error) {
      expect((error as { hint: string }).hint).toBe("in w.opam.locked");
    }
    expect.assertions(1);
  });
});
