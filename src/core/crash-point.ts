// Named steps where a test may have this process killed: with OPAM_MONOREPO_TEST_KILL_AT=<step>
// or <step>:<n>, the process sends itself SIGKILL the n-th time (default first) it reaches <step>.
// Without the variable it does nothing; with it, it can only end this process (no other effect).

const VARIABLE = "OPAM_MONOREPO_TEST_KILL_AT";
const reached = new Map<string, number>();

/** Mark that `step` is reached (a kill here must leave a state the next run can recover from). */
export function crashPoint(step: string): void {
  const wanted = process.env[VARIABLE];
  if (wanted === undefined || wanted === "") return;
  const count = (reached.get(step) ?? 0) + 1;
  reached.set(step, count);
  const [name, nth] = wanted.split(":");
  if (name === step && count === Number(nth ?? "1")) process.kill(process.pid, "SIGKILL");
}
