// The yes/no prompt: -y, no terminal (default taken and said), answers, retries, end of input.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { confirm } from "./prompt.js";

function streams(isTTY: boolean) {
  const input = Object.assign(new PassThrough(), { isTTY: isTTY ? true : undefined });
  const output = new PassThrough();
  let written = "";
  output.on("data", (chunk: Buffer) => (written += chunk.toString()));
  return { input, output, written: () => written };
}

describe("confirm", () => {
  it("answers yes for -y without asking or reading", async () => {
    const s = streams(true);
    expect(await confirm("Go?", { yes: true, defaultAnswer: false, streams: s })).toBe(true);
    expect(s.written()).toBe("");
  });
  it("without a terminal, takes the default, says so, and never reads stdin", async () => {
    for (const defaultAnswer of [true, false]) {
      const s = streams(false);
      s.input.end();
      expect(await confirm("Install?", { yes: false, defaultAnswer, streams: s })).toBe(defaultAnswer);
      expect(s.written()).toContain(`??? Install? ${defaultAnswer ? "[Y/n]" : "[y/N]"}`);
      expect(s.written()).toContain(`taking the default answer, ${defaultAnswer ? "yes" : "no"}`);
    }
  });
  it.each([
    ["y\n", true],
    ["YES\n", true],
    ["n\n", false],
    ["no\n", false],
    ["\n", true],
  ])("reads %j from a terminal", async (typed, expected) => {
    const s = streams(true);
    s.input.write(typed);
    expect(await confirm("Install?", { yes: false, defaultAnswer: true, streams: s })).toBe(expected);
  });
  it("asks again after an unclear answer", async () => {
    const s = streams(true);
    s.input.write("maybe\nn\n");
    expect(await confirm("Install?", { yes: false, defaultAnswer: true, streams: s })).toBe(false);
    expect(s.written()).toContain('Please answer with "y" for yes, "n" for no or just hit enter for the default');
    expect(s.written().match(/\?\?\? Install\?/g)).toHaveLength(2);
  });
  it("takes the default at end of input instead of crashing", async () => {
    const s = streams(true);
    s.input.end();
    expect(await confirm("Install?", { yes: false, defaultAnswer: true, streams: s })).toBe(true);
    expect(s.written()).toContain("end of input: taking the default answer, yes");
  });
});
