// The dune-project lang check (opam-monorepo's Dune_file unit tests, §7.2, plus the prompt flow).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { MemoryReporter } from "../core/reporter.js";
import { checkDuneProject, parseLang, updateLang } from "./dune-project.js";

describe("parseLang", () => {
  test("empty file has no stanza", () => expect(parseLang("")).toEqual({ kind: "no-stanza" }));
  test("simple stanza", () => expect(parseLang("(lang dune 1.2)")).toEqual({ kind: "ok", major: 1, minor: 2, text: "1.2" }));
  test("followed by newlines and more stanzas", () => expect(parseLang("(lang dune 2.7)\n(name x)\n")).toMatchObject({ kind: "ok", major: 2, minor: 7 }));
  test("CRLF", () => expect(parseLang("(lang dune 3.0)\r\n(name x)\r\n")).toMatchObject({ kind: "ok", major: 3, minor: 0 }));
  test("blanks inside the parentheses", () => expect(parseLang("( lang  dune\t1.11 )\n")).toMatchObject({ kind: "ok", major: 1, minor: 11 }));
  test("overflowing version", () =>
    expect(parseLang("(lang dune 1.999999999999999999999999999)")).toEqual({ kind: "invalid-version", text: "1.999999999999999999999999999" }));
  test("non-numeric version", () => expect(parseLang("(lang dune a.b)")).toEqual({ kind: "invalid-version", text: "a.b" }));
  test("stanza not first", () => expect(parseLang("(name x)\n(lang dune 1.2)\n")).toEqual({ kind: "no-stanza" }));
});

describe("updateLang", () => {
  test("leaves a file without a stanza unchanged", () => expect(updateLang("(name x)\n", "1.11")).toBe("(name x)\n"));
  test("replaces the version, keeping LF", () => expect(updateLang("(lang dune 1.2)\n(name x)\n", "1.11")).toBe("(lang dune 1.11)\n(name x)\n"));
  test("replaces the version, keeping CRLF and blanks", () => expect(updateLang("( lang dune 1.2 )\r\n(name x)\r\n", "1.11")).toBe("( lang dune 1.11 )\r\n(name x)\r\n"));
});

describe("checkDuneProject", () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "dune-project-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const project = (name: string, content?: string) => {
    const root = path.join(scratch, name);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, "dune-project"), content ?? "");
    return root;
  };

  test("a missing file is fine; an old lang is raised on yes, kept on no", async () => {
    const reporter = new MemoryReporter();
    expect(await checkDuneProject(path.join(scratch, "nowhere"), reporter, async () => true)).toBe("missing");
    const root = project("old", "(lang dune 1.2)\n(name p)\n");
    expect(await checkDuneProject(root, reporter, async () => false)).toBe("declined");
    expect(readFileSync(path.join(root, "dune-project"), "utf8")).toBe("(lang dune 1.2)\n(name p)\n");
    const questions: string[] = [];
    expect(await checkDuneProject(root, reporter, async (question) => (questions.push(question), true))).toBe("updated");
    expect(questions).toEqual(["Should I update your dune-project?"]);
    expect(readFileSync(path.join(root, "dune-project"), "utf8")).toBe("(lang dune 1.11)\n(name p)\n");
    expect(reporter.lines).toContain("==> You are using version 1.2 of the dune language");
    expect(reporter.lines).toContain("==> Duniverse requires version 1.11 or above");
    expect(reporter.lines).toContain(`==> Setting dune language version to 1.11 in ${path.join(root, "dune-project")}`);
  });

  test("a recent lang asks nothing; a bad stanza only warns", async () => {
    const reporter = new MemoryReporter();
    const never = async () => {
      throw new Error("must not ask");
    };
    expect(await checkDuneProject(project("new", "(lang dune 3.7)\n"), reporter, never)).toBe("ok");
    expect(await checkDuneProject(project("bad", "(name x)\n"), reporter, never)).toBe("invalid");
    expect(await checkDuneProject(project("badv", "(lang dune 1.x)\n"), reporter, never)).toBe("invalid");
    expect(reporter.lines).toEqual([
      "[WARNING] Invalid dune-project file: It does not start with a valid lang stanza",
      "[WARNING] Invalid dune-project file: invalid lang version 1.x",
    ]);
  });
});
