// Unit tests of the ref and URL checks that stand between untrusted text and git's command line:
// agreement with `git check-ref-format --allow-onelevel` on a table of names, and the URL allowlist.
import { execFileSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { checkGitRef, checkGitUrl, refProblem, urlProblem } from "./git-safety.js";

const REFS = [
  "main", "v1.0", "refs/tags/v1.0", "feature/x", "0123456789abcdef0123456789abcdef01234567", "HEAD", "a-b_c+d",
  "--upload-pack=touch${IFS}/tmp/x", "-x", "a..b", "a@{1}", "@", "a b", "a\tb", "a\nb", "a~1", "a^", "a:b", "a?", "a*", "a[b",
  "a\\b", "/a", "a/", "a//b", "a.", ".a", "a/.b", "a.lock", "a/b.lock/c", "", "a\u007fb",
];

function gitAccepts(ref: string): boolean {
  try {
    execFileSync("git", ["check-ref-format", "--allow-onelevel", ref], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("refProblem", () => {
  test.each(REFS)("%j: accepted exactly when git accepts it (and never with a leading '-')", (ref) => {
    const accepted = refProblem(ref) === undefined;
    expect(accepted).toBe(gitAccepts(ref) && !ref.startsWith("-"));
  });

  test("the error names the ref, where it came from and why", () => {
    expect(() => checkGitRef("--upload-pack=x", "git+file:///r")).toThrow(/"--upload-pack=x" in git\+file:\/\/\/r .*starts with '-'/u);
  });
});

describe("urlProblem", () => {
  test.each([
    "https://github.com/o/r.git", "http://h/r", "ssh://git@h/r.git", "git://h/r", "file:///tmp/r", "FILE:///tmp/r",
    "git@github.com:o/r.git", "host:path/r", "file:///tmp/my repo",
  ])("%s is allowed", (url) => expect(urlProblem(url)).toBeUndefined());

  test.each([
    "ext::sh -c touch% /tmp/x", "fd::3", "--upload-pack=touch", "-oProxyCommand=x", "ftp://h/r", "rsync://h/r",
    "/tmp/repo", "./repo", "file:///tmp/r\nx", "", "::x", "weird+scheme::foo",
  ])("%j is refused", (url) => expect(urlProblem(url)).toBeDefined());

  test("credentials are not repeated in the error", () => {
    expect(() => checkGitUrl("ftp://user:secret@h/r", "a lock file")).toThrow(/"ftp:\/\/h\/r" in a lock file/u);
  });
});
