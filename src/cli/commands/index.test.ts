// The command table the top-level help and lazy loading read: each entry's name, summary and
// operands match the command module it loads; which command an argv selects.
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { selectedCommand } from "../main.js";
import { COMMANDS } from "./index.js";

describe("the command table", () => {
  it("names, summarises and loads each command as its module does", async () => {
    for (const entry of COMMANDS) {
      const spec = await entry.load();
      expect(spec.name).toBe(entry.name);
      expect(spec.summary).toBe(entry.summary);
      const command = new Command(entry.name);
      spec.configure(command);
      const operands = command.registeredArguments.map((argument) => {
        const text = `${argument.name()}${argument.variadic ? "..." : ""}`;
        return argument.required ? `<${text}>` : `[${text}]`;
      });
      expect(operands.join(" ")).toBe(entry.operands);
    }
  });

  it("selects the command argv runs, through prefixes and `help`", () => {
    expect(selectedCommand(["lock", "--build-only"])).toBe("lock");
    expect(selectedCommand(["--verbose", "pu", "-l", "x"])).toBe("pull");
    expect(selectedCommand(["help", "why"])).toBe("why");
    expect(selectedCommand(["--version"])).toBeUndefined();
    expect(selectedCommand(["l"])).toBeUndefined();
    expect(selectedCommand(["nope"])).toBeUndefined();
  });
});
