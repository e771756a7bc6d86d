// Unit tests of opam URL parsing (backends, transports, scp-like paths, suffix handling),
// printing back, and dev-repo identity.
import { describe, expect, it } from "vitest";
import { UserError } from "../core/errors.js";
import { formatUrl, normaliseDevRepo, parseUrl, sshPath, urlWithoutFragment } from "./url.js";

const shape = (text: string, options = {}) => {
  const { backend, transport, path, fragment } = parseUrl(text, options);
  return { backend, transport, path, fragment };
};

describe("parseUrl", () => {
  it("reads archives over http(s)/ftp", () => {
    expect(shape("https://github.com/dbuenzli/fmt/releases/download/v0.9.0/fmt-0.9.0.tbz")).toEqual({
      backend: "http",
      transport: "https",
      path: "github.com/dbuenzli/fmt/releases/download/v0.9.0/fmt-0.9.0.tbz",
      fragment: undefined,
    });
    expect(shape("ftp://ftp.example.org/x.tar.gz").backend).toBe("http");
  });
  it("reads git+https with a ref, git:// and git+file", () => {
    expect(shape("git+https://github.com/ocaml-multicore/ocaml-multicore.git#5.00")).toEqual({
      backend: "git",
      transport: "https",
      path: "github.com/ocaml-multicore/ocaml-multicore.git",
      fragment: "5.00",
    });
    expect(shape("git://github.com/mirage/mirage-clock")).toEqual({ backend: "git", transport: "git", path: "github.com/mirage/mirage-clock", fragment: undefined });
    expect(shape("git+file:///tmp/repo#main")).toEqual({ backend: "git", transport: "file", path: "/tmp/repo", fragment: "main" });
    expect(shape("hg+https://hg.example.org/r").backend).toBe("hg");
    expect(shape("darcs+http://x.org/r").backend).toBe("darcs");
  });
  it("keeps suffix handling off by default: a trailing .git does not make https a git URL", () => {
    expect(shape("https://github.com/ocaml/dune.git").backend).toBe("http");
    expect(shape("https://github.com/ocaml/dune.git", { handleSuffix: true }).backend).toBe("git");
    expect(shape("https://example.org/x.tbz", { handleSuffix: true }).backend).toBe("http");
  });
  it("reads local paths: file:// and bare paths", () => {
    expect(shape("file:///home/me/repo")).toEqual({ backend: "local", transport: "file", path: "/home/me/repo", fragment: undefined });
    expect(shape("/abs/path")).toEqual({ backend: "local", transport: "file", path: "/abs/path", fragment: undefined });
    expect(shape("./rel")).toEqual({ backend: "local", transport: "file", path: "./rel", fragment: undefined });
    expect(shape("C:/Users/x").transport).toBe("file"); // one-letter "host": a Windows drive, not ssh
  });
  it("reads scp-like and rsync/ssh URLs as rsync", () => {
    expect(shape("git@github.com:mirage/ocaml-cohttp.git")).toEqual({ backend: "rsync", transport: "ssh", path: "git@github.com/mirage/ocaml-cohttp.git", fragment: undefined });
    expect(shape("git@github.com:mirage/ocaml-cohttp.git", { handleSuffix: true }).backend).toBe("git");
    expect(shape("rsync://mirror.example.org/opam").backend).toBe("rsync");
    expect(shape("ssh://host/path").backend).toBe("rsync");
  });
  it("forces a backend for legacy url fields", () => {
    expect(shape("https://github.com/x/y.git", { backend: "git" })).toMatchObject({ backend: "git", transport: "https" });
    expect(shape("/some/dir", { backend: "local" })).toMatchObject({ backend: "local", transport: "file" });
  });
  it("rejects unknown VCS and protocols with a UserError naming the URL", () => {
    expect(() => parseUrl("svn+https://x.org/r", { where: "f:1:2: dev-repo" })).toThrow('f:1:2: dev-repo: invalid URL "svn+https://x.org/r": unsupported version control system "svn"');
    expect(() => parseUrl("gopher://x.org/r")).toThrow(UserError);
    expect(() => parseUrl("gopher://x.org/r")).toThrow(/unsupported protocol "gopher"/);
  });
  it("keeps the raw text", () => {
    expect(parseUrl("git+https://a.org/b#c").raw).toBe("git+https://a.org/b#c");
  });
});

describe("sshPath (opam's looks_like_ssh_path)", () => {
  it("recognises host:path but not ports or drive letters", () => {
    expect(sshPath("git@github.com:a/b")).toBe("git@github.com/a/b");
    expect(sshPath("host:/abs")).toBe("host/abs");
    expect(sshPath("host:")).toBe("host");
    expect(sshPath("github.com:8080/x")).toBeUndefined();
    expect(sshPath("host:123")).toBeUndefined();
    expect(sshPath("host:12ab")).toBe("host/12ab");
    expect(sshPath("c:/x")).toBeUndefined();
    expect(sshPath("github.com/a/b")).toBeUndefined();
  });
});

describe("formatUrl", () => {
  it("prints like OpamUrl.to_string", () => {
    for (const text of ["git+https://github.com/a/b.git#v1", "git://github.com/a/b", "https://x.org/a.tbz", "file:///tmp/r", "git+file:///tmp/r", "hg+https://h.org/r"]) {
      expect(formatUrl(parseUrl(text))).toBe(text);
    }
    expect(formatUrl(parseUrl("git@github.com:a/b.git"))).toBe("ssh://git@github.com/a/b.git");
    expect(formatUrl(parseUrl("/abs/p"))).toBe("file:///abs/p");
    expect(urlWithoutFragment(parseUrl("git+https://github.com/a/b#main"))).toBe("git+https://github.com/a/b");
  });
});

describe("normaliseDevRepo", () => {
  it("equates the spellings of one repository", () => {
    const key = "github.com/mirage/mirage-clock";
    for (const text of [
      "git://github.com/mirage/mirage-clock",
      "git+https://github.com/mirage/mirage-clock.git",
      "https://github.com/mirage/mirage-clock",
      "https://GitHub.com/mirage/mirage-clock/",
      "git+https://github.com/mirage/mirage-clock.git#main",
      "git@github.com:mirage/mirage-clock.git",
      "git+ssh://git@github.com/mirage/mirage-clock",
      "http://github.com/mirage/mirage-clock.git/",
    ]) {
      expect(normaliseDevRepo(text), text).toBe(key);
    }
  });
  it("keeps different repositories and path case apart", () => {
    expect(normaliseDevRepo("git+https://github.com/mirage/mirage-clock")).not.toBe(normaliseDevRepo("git+https://github.com/mirage/mirage-time"));
    expect(normaliseDevRepo("git+https://github.com/Mirage/X")).toBe("github.com/Mirage/X");
    expect(normaliseDevRepo("git+file:///tmp/Repo.git")).toBe("/tmp/Repo");
  });
  it("falls back to the text for URLs opam cannot parse", () => {
    expect(normaliseDevRepo("svn+https://X.org/r/#x")).toBe("svn+https://x.org/r");
  });
});
