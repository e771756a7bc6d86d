// The depext flow with a recording fake system: nothing to do, dry run, declined, installed through
// sudo, install failure, unknown packages, unsupported hosts. No real package manager is touched.
import { describe, expect, it } from "vitest";
import { UserError } from "../core/errors.js";
import { MemoryReporter } from "../core/reporter.js";
import type { LockedDepext } from "../lockfile/model.js";
import { ident, NO_POS, str, type Value } from "../opam/ast.js";
import { globalEnv } from "../opam/env.js";
import { formatCommand, type CommandOutput, type CommandRunner, type RunMode } from "./command.js";
import { dryRunText, runDepext, type DepextRequest } from "./depext.js";
import { depextFilterEvaluator } from "./select.js";

const family = (name: string): Value => ({ kind: "relop", op: "=", left: ident("os-family"), right: str(name), pos: NO_POS });
const DEPEXTS: LockedDepext[] = [
  { packages: ["libgmp-dev"], filter: family("debian") },
  { packages: ["pkg-config"], filter: family("debian") },
  { packages: ["libev-dev"], filter: family("debian") },
  { packages: ["gmp-dev"], filter: family("alpine") },
];
const DEBIAN = globalEnv({ os: "linux", "os-family": "debian", "os-distribution": "debian", "os-version": "12" });

/** A Debian machine where bash and pkg-config are installed and libev-dev does not exist. */
function debianSystem(installExit = 0) {
  const ran: { line: string; mode: RunMode }[] = [];
  const run: CommandRunner = async (command, mode): Promise<CommandOutput> => {
    ran.push({ line: formatCommand(command), mode });
    if (command.program === "dpkg-query") return { code: 1, stdout: "pkg-config install ok installed\n", stderr: "" };
    if (command.program === "apt-cache") return { code: 0, stdout: "Package: libgmp-dev\n\nPackage: pkgconf\nProvides: pkg-config\n", stderr: "" };
    return { code: installExit, stdout: "", stderr: "" };
  };
  return { run, ran };
}

function request(overrides: Partial<DepextRequest>): DepextRequest & { reporter: MemoryReporter; questions: string[] } {
  const questions: string[] = [];
  const system = debianSystem();
  return {
    depexts: DEPEXTS,
    evaluate: depextFilterEvaluator(DEBIAN, "x.opam.locked"),
    vars: DEBIAN,
    dryRun: false,
    isRoot: false,
    run: system.run,
    confirm: async (question) => (questions.push(question), true),
    reporter: new MemoryReporter(),
    questions,
    ...overrides,
  } as DepextRequest & { reporter: MemoryReporter; questions: string[] };
}

describe("runDepext", () => {
  it("with no depext selected, asks the system nothing", async () => {
    const system = debianSystem();
    const outcome = await runDepext(request({ depexts: [DEPEXTS[3]!], run: system.run }));
    expect(outcome).toEqual({ kind: "nothing-to-do" });
    expect(system.ran).toEqual([]);
  });
  it("--dry-run lists only what is missing and available, and installs nothing", async () => {
    const system = debianSystem();
    const r = request({ dryRun: true, run: system.run });
    const outcome = await runDepext(r);
    expect(outcome).toEqual({ kind: "dry-run", packages: ["libgmp-dev"], checked: true });
    if (outcome.kind === "dry-run") expect(dryRunText(outcome.packages)).toBe("libgmp-dev\n");
    expect(system.ran.map((r) => r.mode)).toEqual(["capture", "capture"]);
    expect(r.reporter.lines).toContain("[WARNING] not available from apt, skipped: libev-dev");
    expect(r.questions).toEqual([]);
  });
  it("asks, then installs through sudo in the user's terminal", async () => {
    const system = debianSystem();
    const r = request({ run: system.run });
    expect(await runDepext(r)).toMatchObject({ kind: "installed", packages: ["libgmp-dev"] });
    expect(r.questions).toEqual(["The following packages will be installed through sudo: libgmp-dev.\nDo you want to continue?"]);
    expect(system.ran.at(-1)).toEqual({ line: "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -- libgmp-dev", mode: "interactive" });
  });
  it("as root, installs without sudo and says which tool", async () => {
    const system = debianSystem();
    const r = request({ run: system.run, isRoot: true });
    await runDepext(r);
    expect(r.questions[0]).toContain("installed through apt-get: libgmp-dev");
    expect(system.ran.at(-1)?.line).toBe("env DEBIAN_FRONTEND=noninteractive apt-get install -y -- libgmp-dev");
  });
  it("does nothing when the user declines", async () => {
    const system = debianSystem();
    const outcome = await runDepext(request({ run: system.run, confirm: async () => false }));
    expect(outcome.kind).toBe("declined");
    expect(system.ran.every((r) => r.mode === "capture")).toBe(true);
  });
  it("turns a failed install into DEPEXT_FAILED naming the command", async () => {
    const system = debianSystem(100);
    const error = await runDepext(request({ run: system.run })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe("DEPEXT_FAILED");
    expect((error as UserError).message).toContain("apt-get install -y -- libgmp-dev` exited with code 100");
  });
  it("says to install sudo when it is missing", async () => {
    const run: CommandRunner = async (command, mode) => {
      if (mode === "interactive") return { code: -1, stdout: "", stderr: "", startError: "sudo: command not found" };
      return debianSystem().run(command, mode);
    };
    const error = (await runDepext(request({ run })).catch((e: unknown) => e)) as UserError;
    expect(error.hint).toContain("sudo");
  });
  it("is silent when everything selected is installed", async () => {
    const outcome = await runDepext(request({ depexts: [DEPEXTS[1]!] }));
    expect(outcome).toEqual({ kind: "nothing-to-do" });
  });
  it("on an unsupported host, --dry-run lists every selected package with a warning", async () => {
    const gentoo = globalEnv({ "os-family": "gentoo" });
    const r = request({ vars: gentoo, evaluate: () => undefined, dryRun: true });
    expect(await runDepext(r)).toEqual({ kind: "dry-run", packages: ["gmp-dev", "libev-dev", "libgmp-dev", "pkg-config"], checked: false });
    expect(r.reporter.lines[0]).toMatch(/\[WARNING\] cannot check .*`gentoo`/);
  });
  it("on an unsupported host, installing fails and lists the packages in the hint", async () => {
    const error = (await runDepext(request({ vars: globalEnv({}), evaluate: () => true })).catch((e: unknown) => e)) as UserError;
    expect(error.code).toBe("DEPEXT_FAILED");
    expect(error.hint).toContain("gmp-dev libev-dev libgmp-dev pkg-config");
  });
});
