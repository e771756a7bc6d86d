// Unit tests of git ref resolution over `git ls-remote` output (the reference's Git unit cases).
import { describe, expect, it } from "vitest";
import {
  branchOfSymref,
  commitPointedBy,
  gitRemote,
  makeRefResolver,
  ocamlQuoted,
  outputLines,
  parseLsRemoteLine,
} from "./git-refs.js";

describe("parseLsRemoteLine", () => {
  it("splits a commit and a ref", () => {
    expect(parseLsRemoteLine("12ab  refs/tags/v1")).toEqual({ commit: "12ab", ref: "refs/tags/v1" });
    expect(parseLsRemoteLine("12ab\trefs/tags/v1")).toEqual({ commit: "12ab", ref: "refs/tags/v1" });
  });
  it("rejects three words with the reference's message", () => {
    expect(parseLsRemoteLine("12ab  refs/tags/v1 something")).toEqual({
      kind: "invalid",
      message: 'Invalid git ls-remote output line: "12ab  refs/tags/v1 something"',
    });
  });
});

describe("commitPointedBy", () => {
  const cases: [string, string, string[], unknown][] = [
    ["empty output", "v1", [], { kind: "no-such-ref" }],
    ["not in output", "v1", ["0001    refs/heads/master"], { kind: "no-such-ref" }],
    ["invalid output", "v1", ["invalid-output"], { kind: "invalid", message: 'Invalid git ls-remote output line: "invalid-output"' }],
    ["regular repo", "v1", ["0001   refs/heads/master", "0002   refs/tags/v1"], { kind: "found", commit: "0002" }],
    ["packed refs prefer ^{}", "v1", ["0001   refs/heads/master", "0002   refs/tags/v1", "0003   refs/tags/v1^{}"], { kind: "found", commit: "0003" }],
    ["order does not matter", "v1", ["0003   refs/tags/v1^{}", "0001   refs/heads/master", "0002   refs/tags/v1"], { kind: "found", commit: "0003" }],
    ["branches", "some-branch", ["0001    refs/heads/master", "0002   refs/heads/some-branch"], { kind: "found", commit: "0002" }],
    ["branch and tag", "abc", ["001   refs/heads/abc", "002   refs/tags/abc"], { kind: "ambiguous" }],
    ["branch and tag, packed", "abc", ["001   refs/heads/abc", "002   refs/heads/abc^{}", "003   refs/tags/abc", "004   refs/tags/abc^{}"], { kind: "ambiguous" }],
    ["empty line output", "abc", [""], { kind: "no-such-ref" }],
    ["refs/import/tags ignored", "abc", ["001   refs/heads/master", "002   refs/import/tags/abc", "003   refs/tags/abc"], { kind: "found", commit: "003" }],
    ["same suffix is no match", "abc", ["001   refs/heads/xabc"], { kind: "no-such-ref" }],
    ["ref is a listed commit", "000456", ["00017f   refs/heads/master", "000456   refs/heads/abc"], { kind: "found", commit: "000456" }],
    ["ref looks like a commit", "7af9de1c4c468d8fd0f2870b98355803bcfd76f7", ["000000   refs/heads/master"], { kind: "found", commit: "7af9de1c4c468d8fd0f2870b98355803bcfd76f7" }],
    ["empty output, ref looks like a commit", "7af9de1c", [""], { kind: "found", commit: "7af9de1c" }],
    ["six hex digits do not look like a commit", "abcdef", ["000000   refs/heads/master"], { kind: "no-such-ref" }],
  ];
  for (const [name, ref, lines, expected] of cases) {
    it(name, () => expect(commitPointedBy(ref, lines)).toEqual(expected));
  }
});

describe("branchOfSymref", () => {
  const cases: [string, string, string[], unknown][] = [
    ["empty output", "abc", [""], { kind: "not-a-symref" }],
    ["no output", "abc", [], { kind: "not-a-symref" }],
    ["typical", "HEAD", ["ref: refs/heads/master  HEAD", "0000        HEAD"], { kind: "branch", branch: "master" }],
    ["another typical", "HEAD", ["ref: refs/heads/main\tHEAD", "0001        HEAD"], { kind: "branch", branch: "main" }],
    [
      "local project",
      "HEAD",
      ["ref: refs/heads/mirage-4        HEAD", "0002        HEAD", "ref: refs/remotes/origin/master refs/remotes/origin/HEAD", "0003        refs/remotes/origin/HEAD"],
      { kind: "branch", branch: "mirage-4" },
    ],
    [
      "several ref: lines",
      "HEAD",
      ["ref: refs/heads/master        HEAD", "ref: refs/heads/main          HEAD", "ref: refs/heads/trunk         HEAD", "0004     HEAD"],
      { kind: "invalid", message: "Invalid `git ls-remote --symref` output. Too many lines starting by `ref:`." },
    ],
    [
      "not a branch",
      "symref",
      ["ref: refs/tags/v0.1        symref", "0005     symref"],
      { kind: "invalid", message: "Invalid `git ls-remote --symref` output. Failed to extract branch from ref `refs/tags/v0.1`." },
    ],
  ];
  for (const [name, symref, lines, expected] of cases) {
    it(name, () => expect(branchOfSymref(symref, lines)).toEqual(expected));
  }
});

describe("helpers", () => {
  it("strips git+ only when the scheme prefix is exactly git", () => {
    expect(gitRemote("git+https://github.com/a/b.git")).toBe("https://github.com/a/b.git");
    expect(gitRemote("git+file:///tmp/x")).toBe("file:///tmp/x");
    expect(gitRemote("git://github.com/a/b")).toBe("git://github.com/a/b");
    expect(gitRemote("hg+https://x/y")).toBe("hg+https://x/y");
  });
  it("splits output like the reference (empty output is one empty line)", () => {
    expect(outputLines("")).toEqual([""]);
    expect(outputLines("a b\nc d\n")).toEqual(["a b", "c d"]);
  });
  it("quotes like OCaml's %S", () => {
    expect(ocamlQuoted('a"b\\c\nd\x01')).toBe('"a\\"b\\\\c\\nd\\001"');
  });
});

describe("makeRefResolver", () => {
  function fakeGit(outputs: Record<string, string>) {
    const calls: string[] = [];
    const run = async (args: string[]) => {
      const key = args.join(" ");
      calls.push(key);
      const out = outputs[key];
      if (out === undefined) throw new Error(`unexpected git ${key}`);
      return out;
    };
    return { run, calls };
  }

  it("resolves the default branch when the URL has no ref, once per URL", async () => {
    const git = fakeGit({
      "ls-remote --symref -- https://h/r.git HEAD": "ref: refs/heads/main\tHEAD\naaaa\tHEAD\n",
      "ls-remote -- https://h/r.git main main^{}": "1111111111\trefs/heads/main\n",
    });
    const resolve = makeRefResolver(git.run);
    expect(await resolve("git+https://h/r.git")).toBe("1111111111");
    expect(await resolve("git+https://h/r.git")).toBe("1111111111");
    expect(git.calls).toHaveLength(2);
  });

  it("resolves a tag to its peeled commit", async () => {
    const git = fakeGit({ "ls-remote -- https://h/r.git v1 v1^{}": "aaaa\trefs/tags/v1\nbbbb\trefs/tags/v1^{}\n" });
    expect(await makeRefResolver(git.run)("git+https://h/r.git#v1")).toBe("bbbb");
  });

  it("does not ask the remote about a full commit hash", async () => {
    const git = fakeGit({});
    const commit = "0123456789abcdef0123456789abcdef01234567";
    expect(await makeRefResolver(git.run)(`git+https://h/r.git#${commit}`)).toBe(commit);
    expect(git.calls).toEqual([]);
  });

  it("reports unknown refs, ambiguous refs and missing symrefs with the reference's messages", async () => {
    const git = fakeGit({
      "ls-remote -- https://h/r.git nope nope^{}": "",
      "ls-remote -- https://h/r.git abc abc^{}": "001\trefs/heads/abc\n002\trefs/tags/abc\n",
      "ls-remote --symref -- https://h/s.git HEAD": "",
    });
    const resolve = makeRefResolver(git.run);
    await expect(resolve("git+https://h/r.git#nope")).rejects.toThrow("No nope ref for https://h/r.git");
    await expect(resolve("git+https://h/r.git#abc")).rejects.toThrow("A branch and a tag share the name abc on the remote https://h/r.git");
    await expect(resolve("git+https://h/s.git")).rejects.toThrow(
      "unable to parse `git ls-remote --symref https://h/s.git HEAD` output: not a symref.",
    );
  });
});
