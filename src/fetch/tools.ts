// The external programs extraction relies on (tar, bzip2/lbzip2, xz, unzip): locating them on
// PATH and waiting for a spawned one, turning a failure into a UserError quoting its stderr.
import type { ChildProcess } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { UserError, type ErrorCode } from "../core/errors.js";

let bzip2: string | undefined;

function onPath(command: string): boolean {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

/** `lbzip2` (parallel decoding) when installed, else `bzip2`. */
export function bzip2Command(): string {
  bzip2 ??= onPath("lbzip2") ? "lbzip2" : "bzip2";
  return bzip2;
}

/** Resolves when `child` exits with one of `okCodes`; rejects with its stderr tail otherwise. */
export function waitForExit(child: ChildProcess, name: string, code: ErrorCode, okCodes: readonly number[] = [0]): Promise<void> {
  const stderr: Buffer[] = [];
  child.stderr?.on("data", (chunk: Buffer) => {
    if (stderr.length < 64) stderr.push(chunk);
  });
  return new Promise((resolve, reject) => {
    child.on("error", (error) => reject(new UserError(code, `could not run ${name}: ${error.message}`, { cause: error })));
    child.on("close", (status, signal) => {
      if (status !== null && okCodes.includes(status)) return resolve();
      const tail = Buffer.concat(stderr).toString("utf8").trim().split("\n").slice(-4).join("\n");
      const how = signal ? `killed by ${signal}` : `exit code ${status}`;
      reject(new UserError(code, `${name} failed (${how})${tail ? `: ${tail}` : ""}`));
    });
  });
}
