// Fuzzing opam files (issue 13, "Also"): real opam files of the opam-repository snapshot mutated
// at random (characters, hostile tokens, lines removed, repeated or swapped). Parsing and reading
// them as packages must succeed or throw a UserError; a subset is a project's local opam file for
// the real CLI `lock` (over the fixtures' minimal repository): exit 0, or one [ERROR] with exit 1,
// nothing written but the lock file, no hang. FUZZ_SEED replays a run.
import { expect, test } from "vitest";
import { isUserError } from "../../src/core/errors.js";
import { packageFromOpam } from "../../src/opam/package.js";
import { parseOpam } from "../../src/opam/parser.js";
import { localOpam, REPOS_FIELD, world } from "../e2e/lock-world.js";
import { badOutcome, FUZZ_SEED, listTree, mutateText, replay, rng, runCliTimed, type Rng } from "../helpers/fuzz.js";
import { readSnapshot, snapshotArchive } from "../helpers/real-data.js";

const PARSE_CASES = Number(process.env.FUZZ_OPAM_CASES ?? 2000);
const CLI_CASES = Number(process.env.FUZZ_OPAM_CLI_CASES ?? 3);

const available = snapshotArchive("opam-repository") !== undefined;
if (!available) console.warn("fuzz/opam-files skipped: ../shared/data/opam-repository.tar.gz is missing");

/** Every 97th opam file of the snapshot (about 300 of them, of every era and style). */
function realOpamFiles(): string[] {
  return readSnapshot("opam-repository").filter((file) => file.path.endsWith("/opam")).filter((_, index) => index % 97 === 0).map((file) => file.text);
}

function mutated(r: Rng, text: string): string {
  let result = text;
  for (let count = 1 + r.int(4); count > 0; count--) result = mutateText(r, result);
  return result;
}

test.skipIf(!available)(`${PARSE_CASES} mutated opam files parse or throw a UserError (seed ${FUZZ_SEED})`, () => {
  const files = realOpamFiles();
  const failures: string[] = [];
  for (let index = 0; index < PARSE_CASES; index++) {
    const r = rng(FUZZ_SEED + index);
    const text = mutated(r, r.pick(files));
    try {
      packageFromOpam(parseOpam(text, "fuzz.opam"), "fuzz", "1.0");
    } catch (error) {
      if (!isUserError(error)) failures.push(`${replay("opam-files", index)} not a UserError: ${(error as Error)?.stack ?? String(error)}\n--- opam file:\n${text}`);
    }
  }
  expect(failures).toEqual([]);
});

test.skipIf(!available)(`${CLI_CASES} mutated opam files through \`lock\` (seed ${FUZZ_SEED})`, async () => {
  // Fields that make lock fetch something are left out: the tests never reach the internet.
  const files = realOpamFiles().filter((text) => !/pin-depends|x-opam-monorepo/.test(text));
  const failures: string[] = [];
  for (let index = 0; index < CLI_CASES; index++) {
    const r = rng(FUZZ_SEED + 300_000 + index);
    let text = mutated(r, `${r.pick(files)}\n${REPOS_FIELD("minimal-repo")}\n`);
    while (/pin-depends|x-opam-monorepo-opam-repositories: *\[[^\]]*:\/\/(?!\$OPAM_MONOREPO_CWD)/.test(text)) text = mutated(r, localOpam(['"dune"'], [REPOS_FIELD("minimal-repo")]));
    const w = await world({ "app.opam": text, "dune-project": "(lang dune 3.0)\n" });
    const before = new Set(listTree(w.dir));
    const result = await runCliTimed(["lock"], { cwd: w.dir, home: w.dir }, 60_000);
    const wrong = result.hung ? "a hang" : badOutcome(result.code, result.stderr);
    const added = listTree(w.dir).filter((entry) => !before.has(entry) && entry !== "app.opam.locked" && !entry.startsWith(".cache") && !entry.startsWith(".opam"));
    if (wrong) failures.push(`${replay("opam-files-cli", index)}: ${wrong}\n${result.stderr}\n--- opam file:\n${text}`);
    if (added.length > 0) failures.push(`${replay("opam-files-cli", index)}: wrote ${added.join(", ")}`);
  }
  expect(failures).toEqual([]);
}, 240_000);

