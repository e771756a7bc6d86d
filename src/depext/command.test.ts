// The real command runner (exit codes, captured output, a missing program) and command display.
import { describe, expect, it } from "vitest";
import { formatCommand, systemRunner } from "./command.js";

describe("systemRunner", () => {
  it("captures stdout, stderr and the exit code, with LC_ALL=C for queries", async () => {
    const output = await systemRunner({ program: "sh", args: ["-c", 'echo "$LC_ALL $EXTRA"; echo oops >&2; exit 3'], env: { EXTRA: "x" } }, "capture");
    expect(output).toEqual({ code: 3, stdout: "C x\n", stderr: "oops\n" });
  });
  it("reports a program that cannot start instead of throwing", async () => {
    const output = await systemRunner({ program: "om-no-such-program-91c2", args: [] }, "capture");
    expect(output.code).toBe(-1);
    expect(output.startError).toBe("om-no-such-program-91c2: command not found");
  });
});

describe("formatCommand", () => {
  it("shows environment variables through env and quotes words a shell would split", () => {
    expect(formatCommand({ program: "apt-get", args: ["install", "-y", "a"], env: { DEBIAN_FRONTEND: "noninteractive" } })).toBe(
      "env DEBIAN_FRONTEND=noninteractive apt-get install -y a",
    );
    expect(formatCommand({ program: "dpkg-query", args: ["-W", "-f", "${Package} ${Status}\\n", "it's"] })).toBe(
      "dpkg-query -W -f '${Package} ${Status}\\n' 'it'\\''s'",
    );
  });
});
