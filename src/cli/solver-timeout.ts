// The solver's time limit (as opam's OPAMSOLVERTIMEOUT): `--solver-timeout SECONDS`, else
// OPAM_MONOREPO_SOLVER_TIMEOUT, else 60 s; 0 means no limit. Turns SolverTimeout into SOLVER_TIMEOUT.
import { UserError } from "../core/errors.js";
import { SolverTimeout } from "../solve/model.js";

export const DEFAULT_SOLVER_TIMEOUT_S = 60;

function parseSeconds(text: string, from: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) {
    throw new UserError("BAD_ARGUMENT", `${from}: expected a number of seconds (0 for no limit), got ${JSON.stringify(text)}`);
  }
  return value;
}

/** The limit in seconds (0 = none). */
export function solverTimeoutSeconds(option: string | undefined, env: NodeJS.ProcessEnv): number {
  if (option !== undefined) return parseSeconds(option, "option --solver-timeout");
  const text = env.OPAM_MONOREPO_SOLVER_TIMEOUT;
  return text === undefined || text === "" ? DEFAULT_SOLVER_TIMEOUT_S : parseSeconds(text, "OPAM_MONOREPO_SOLVER_TIMEOUT");
}

/** Runs `solve` with a deadline `seconds` from now; SOLVER_TIMEOUT when it passes. */
export function withSolverDeadline<T>(seconds: number, solve: (deadline: number | undefined) => T): T {
  try {
    return solve(seconds > 0 ? Date.now() + seconds * 1000 : undefined);
  } catch (error) {
    if (!(error instanceof SolverTimeout)) throw error;
    throw new UserError("SOLVER_TIMEOUT", `The solver found no answer within ${seconds} s and gave up`, {
      hint: "raise the limit with --solver-timeout SECONDS or OPAM_MONOREPO_SOLVER_TIMEOUT (0 for no limit), or constrain the request (e.g. --ocaml-version, version constraints in your opam files)",
    });
  }
}
