// Fuzzing lock files (issue 13, "Also"): real lock files (the golden fixture, and one `pull`
// reads for archives served on 127.0.0.1) mutated at random (characters, hostile tokens, lines
// removed, repeated or swapped). Decoding must succeed or throw a UserError; a subset goes through
// the real CLI `pull` (the golden one --offline, so nothing reaches the internet; the served one
// only when every URL still names 127.0.0.1): exit 0, or one [ERROR] with exit 1, nothing written
// outside the project, no hang. FUZZ_SEED replays a run.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { isUserError } from "../../src/core/errors.js";
import { parseLockfile } from "../../src/lockfile/file.js";
import { projectRoot } from "../helpers/cli.js";
import { badOutcome, FUZZ_SEED, listTree, mutateText, replay, rng, runCliTimed, type Rng } from "../helpers/fuzz.js";
import { LOCKFILE_NAME, writePullProject } from "../helpers/pull-project.js";
import { servedMixed } from "../helpers/pull-served.js";

const DECODE_CASES = Number(process.env.FUZZ_LOCK_CASES ?? 1500);
const CLI_CASES = Number(process.env.FUZZ_LOCK_CLI_CASES ?? 3);

const world = servedMixed("fuzz-lockfiles-");
const golden = readFileSync(path.join(projectRoot, "test", "fixtures", "golden", "simple-lock.opam.locked"), "utf8");
const scratch = mkdtempSync(path.join(os.tmpdir(), "fuzz-lockfiles-cases-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function mutated(r: Rng, text: string): string {
  let result = text;
  for (let count = 1 + r.int(4); count > 0; count--) result = mutateText(r, result);
  return result;
}

/** Every URL-like string names 127.0.0.1 (or a local path): a pull of it stays on this machine. */
function loopbackOnly(text: string, port: string): boolean {
  return [...text.matchAll(/[a-z0-9+.-]*:\/\/[^"\s\]]*/gi)].every(([url]) => url.startsWith(`http://127.0.0.1:${port}/`) || url.startsWith("file://"));
}

test(`${DECODE_CASES} mutated lock files decode or throw a UserError (seed ${FUZZ_SEED})`, () => {
  const failures: string[] = [];
  for (let index = 0; index < DECODE_CASES; index++) {
    const text = mutated(rng(FUZZ_SEED + index), golden);
    try {
      parseLockfile(text, "fuzz.opam.locked", "/project");
    } catch (error) {
      if (!isUserError(error)) failures.push(`${replay("lockfiles", index)} not a UserError: ${(error as Error)?.stack ?? String(error)}`);
    }
  }
  expect(failures).toEqual([]);
});

/** `pull` in a fresh project holding `text`; returns what is wrong, if anything. */
async function pullCase(name: string, index: number, text: string, args: string[]): Promise<string[]> {
  const sentinel = path.join(scratch, `${name}-${index}`);
  const root = writePullProject(path.join(sentinel, "root"), []);
  writeFileSync(path.join(root, LOCKFILE_NAME), text);
  const cache = path.join(scratch, `cache-${name}-${index}`);
  mkdirSync(cache);
  const result = await runCliTimed(["pull", "--cache-dir", cache, ...args], { cwd: root, home: path.join(scratch, `home-${name}-${index}`) }, 60_000);
  const wrong = result.hung ? "a hang" : badOutcome(result.code, result.stderr);
  const escaped = listTree(sentinel).filter((entry) => entry !== "root" && !/^root\/(dune-project|p\.opam\.locked|duniverse)(\/|$)/.test(entry));
  rmSync(sentinel, { recursive: true, force: true });
  return [...(wrong ? [`${replay(name, index)}: ${wrong}\n${result.stderr}\n--- lock file:\n${text}`] : []), ...(escaped.length > 0 ? [`${replay(name, index)}: wrote outside: ${escaped.join(", ")}`] : [])];
}

test(`${CLI_CASES} mutated lock files through \`pull\` (seed ${FUZZ_SEED})`, async () => {
  const served = readFileSync(path.join(writePullProject(path.join(scratch, "served-project"), world.repos.slice(0, 3)), LOCKFILE_NAME), "utf8");
  const port = new URL(world.server.url).port;
  const failures: string[] = [];
  for (let index = 0; index < CLI_CASES; index++) {
    const r = rng(FUZZ_SEED + 200_000 + index);
    failures.push(...(await pullCase("golden-offline", index, mutated(r, golden), ["--offline"])));
    let text = mutated(r, served);
    for (let retry = 0; retry < 20 && !loopbackOnly(text, port); retry++) text = mutated(r, served);
    if (loopbackOnly(text, port)) failures.push(...(await pullCase("served", index, text, [])));
  }
  expect(failures).toEqual([]);
}, 240_000);
