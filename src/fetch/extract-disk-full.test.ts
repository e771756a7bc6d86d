// A full disk during .tbz/.txz extraction (issue 13, item 9): the writer's "no space left on
// device" is reported, never the decoder's broken pipe (`bzip2 failed (exit code 141)`), on a
// worker thread and in this thread, several runs each (it was a race). Needs a 1 MiB tmpfs
// (`mount -t tmpfs`, root only): skipped with a printed reason where that is not possible.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { isUserError } from "../core/errors.js";
import { createExtractor } from "./extract-pool.js";
import { extractArchive } from "./extract.js";

const WORKER = new URL("../../dist/src/fetch/extract-worker.bundle.cjs", import.meta.url);
const scratch = mkdtempSync(path.join(os.tmpdir(), "extract-disk-full-"));
const full = path.join(scratch, "full");
mkdirSync(full);

function mountTmpfs(): string | undefined {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", full], { stdio: ["ignore", "ignore", "pipe"] });
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs here (${String((error as { stderr?: Buffer }).stderr ?? error).trim()})`;
  }
}
const skipped = !existsSync(fileURLToPath(WORKER)) ? "the worker bundle is not built (npm run build)" : mountTmpfs();
if (skipped) console.warn(`extract-disk-full.test.ts skipped: ${skipped}`);

afterAll(() => {
  if (!skipped) execFileSync("umount", [full]);
  rmSync(scratch, { recursive: true, force: true });
});

/** A small archive of one 16 MiB file: 16 times what the tmpfs holds. */
function bigArchive(kind: "tbz" | "txz"): string {
  const src = path.join(scratch, `src-${kind}`);
  mkdirSync(path.join(src, "pkg"), { recursive: true });
  writeFileSync(path.join(src, "pkg", "big"), Buffer.alloc(16 << 20, "opam-monorepo "));
  const out = path.join(scratch, `big.${kind}`);
  execFileSync("tar", [kind === "tbz" ? "-cjf" : "-cJf", out, "-C", src, "pkg"]);
  return out;
}

async function messageOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!isUserError(error)) throw new Error(`expected a UserError, got ${String(error)}`);
  expect(error.code).toBe("EXTRACT_FAILED");
  return error.message;
}

describe.skipIf(skipped !== undefined)("a full disk during bzip2/xz extraction says so", () => {
  let counter = 0;
  const outDir = () => path.join(full, `out-${counter++}`);
  for (const kind of ["tbz", "txz"] as const) {
    test(`${kind}: on a worker thread and in this thread, 4 runs each`, async () => {
      const archive = bigArchive(kind);
      const extractor = createExtractor(1, WORKER);
      try {
        for (let run = 0; run < 4; run++) {
          for (const extract of [extractor.extract, extractArchive]) {
            const out = outDir();
            const message = await messageOf(extract(archive, out, `https://example.org/big.${kind}`));
            expect(message).toBe(`https://example.org/big.${kind}: cannot extract "pkg/big": no space left on device`);
            rmSync(out, { recursive: true, force: true });
          }
        }
      } finally {
        await extractor.close();
      }
    });
  }
});
