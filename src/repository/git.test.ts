// Git repositories from local repos made by the test: HEAD, new commits, #ref forms, errors.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { MemoryReporter } from "../core/reporter.js";
import { opamRepo, opamText } from "../../test/helpers/opam-repo.js";
import { testdir } from "../../test/helpers/testdir.js";
import { openGit, parseGitUrl, pinnedGitUrl } from "./git.js";

function git(cwd: string, ...args: string[]): string {
  const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" };
  return execFileSync("git", args, { cwd, env, encoding: "utf8" }).trim();
}

async function upstream() {
  const dir = await testdir();
  const src = await opamRepo().pkg("a", "1").pkg("b", "1", { depends: ['"a"'] }).writeTo(path.join(dir, "upstream"));
  git(src, "init", "-q", "-b", "main");
  git(src, "add", "-A");
  git(src, "commit", "-q", "-m", "one");
  return { dir, src, cacheDir: path.join(dir, "cache"), url: `git+file://${src}` };
}

async function addVersion(src: string, name: string, version: string): Promise<string> {
  await mkdir(path.join(src, "packages", name, `${name}.${version}`), { recursive: true });
  await writeFile(path.join(src, "packages", name, `${name}.${version}`, "opam"), opamText(name, version));
  git(src, "add", "-A");
  git(src, "commit", "-q", "-m", `${name}.${version}`);
  return git(src, "rev-parse", "HEAD");
}

describe("git URLs", () => {
  it("split into transport and ref, and pin to a commit for the lock file", () => {
    expect(parseGitUrl("git+https://github.com/o/r.git#main")).toEqual({ transport: "https://github.com/o/r.git", ref: "main" });
    expect(parseGitUrl("git+file:///tmp/r")).toEqual({ transport: "file:///tmp/r", ref: undefined });
    expect(parseGitUrl("git://host/r")).toEqual({ transport: "git://host/r", ref: undefined });
    expect(pinnedGitUrl("git+https://h/r.git#main", "abc")).toBe("git+https://h/r.git#abc");
    expect(pinnedGitUrl("https://h/r.git", "abc")).toBe("git+https://h/r.git#abc");
  });
});

describe("git repository", () => {
  it("clones the remote HEAD, records the commit and reads it", async () => {
    const { src, cacheDir, url } = await upstream();
    const repo = await openGit({ url }, { cacheDir });
    const head = git(src, "rev-parse", "HEAD");
    expect(repo.commit).toBe(head);
    expect(repo.url).toBe(`${url}#${head}`);
    expect(repo.label).toBe(url);
    expect(repo.versions("a")).toEqual(["1"]);
    expect(repo.readOpam("b", "1")?.name).toBe("b");
  });

  it("picks up a new commit on the next open, and serves an unchanged commit from the index cache", async () => {
    const { src, cacheDir, url } = await upstream();
    const first = await openGit({ url }, { cacheDir });
    await first.flush();
    const reporter = new MemoryReporter();
    const same = await openGit({ url }, { cacheDir, reporter });
    expect(same.commit).toBe(first.commit);
    expect(reporter.lines.some((line) => line.includes("reading every opam file"))).toBe(false);
    const next = await addVersion(src, "a", "2");
    const again = await openGit({ url }, { cacheDir });
    expect(again.commit).toBe(next);
    expect(again.url).toBe(`${url}#${next}`);
    expect(again.versions("a")).toEqual(["2", "1"]);
  });

  it("selects a branch, a tag, a full commit or an abbreviated commit with #ref", async () => {
    const { src, cacheDir, url } = await upstream();
    const one = git(src, "rev-parse", "HEAD");
    git(src, "tag", "v1");
    const two = await addVersion(src, "a", "2");
    git(src, "checkout", "-q", "-b", "dev");
    const three = await addVersion(src, "a", "3");
    git(src, "checkout", "-q", "main");
    const cases: [string, string, string[]][] = [
      ["main", two, ["2", "1"]],
      ["dev", three, ["3", "2", "1"]],
      ["v1", one, ["1"]],
      [one, one, ["1"]],
      [three.slice(0, 10), three, ["3", "2", "1"]],
    ];
    for (const [ref, commit, versions] of cases) {
      const repo = await openGit({ url: `${url}#${ref}` }, { cacheDir });
      expect([ref, repo.commit, repo.versions("a")]).toEqual([ref, commit, versions]);
      expect(repo.url).toBe(`${url}#${commit}`);
    }
  });

  it("fails with REPO_UNREACHABLE naming the URL when git cannot fetch", async () => {
    const { dir, cacheDir } = await upstream();
    const url = `git+file://${path.join(dir, "missing")}`;
    await expect(openGit({ url }, { cacheDir })).rejects.toMatchObject({ code: "REPO_UNREACHABLE", message: expect.stringContaining(url) });
    const { url: good } = await upstream();
    await expect(openGit({ url: `${good}#no-such-branch` }, { cacheDir })).rejects.toMatchObject({ code: "REPO_UNREACHABLE" });
  });

  it("fails with REPO_INVALID for a git repository that is not an opam repository", async () => {
    const dir = await testdir({ "project/README.md": "hello" });
    const src = path.join(dir, "project");
    git(src, "init", "-q");
    git(src, "add", "-A");
    git(src, "commit", "-q", "-m", "x");
    await expect(openGit({ url: `git+file://${src}` }, { cacheDir: path.join(dir, "cache") })).rejects.toMatchObject({ code: "REPO_INVALID" });
  });
});
