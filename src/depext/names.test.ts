// System package names as depext may pass them to a package manager: real names of every family
// pass, anything a manager could read as an option (or that is not a name at all) is refused.
import { describe, expect, test } from "vitest";
import { checkSystemPackageNames, isSystemPackageName } from "./names.js";

describe("isSystemPackageName", () => {
  test.each(["libgmp-dev", "libc6:amd64", "pkgconfig(gmp)", "perl(Pod::Usage)", "openssl@3", "homebrew/core/gmp", "devel/pkgconf", "g++", "python3.11", "@emotion/css", "libstdc++-dev"])(
    "%s is a package name",
    (name) => expect(isSystemPackageName(name)).toBe(true),
  );
  test.each(["--repofrompath=x,/tmp", "-y", "", " gmp", "gmp dev", "gmp\n", "a;b", "$(touch x)", "a`b`", "x".repeat(256)])("%j is refused", (name) =>
    expect(isSystemPackageName(name)).toBe(false),
  );
  test("the error names the lock file and the first bad name", () => {
    expect(() => checkSystemPackageNames(["gmp", "--oops"], "/p/x.opam.locked")).toThrow('the depexts of /p/x.opam.locked name "--oops", which is not a system package name');
  });
});
