// The transient progress line of `lock` (and `why`) on a terminal: which repositories are being
// fetched or read, with counts, then the solve and the git pins. Drawn through the Reporter, which
// draws nothing unless stderr is a TTY, so piped output never changes.
import { nowMs } from "../core/clock.js";
import type { Reporter } from "../core/reporter.js";
import type { OpenProgress } from "../repository/repository.js";

export interface LockProgress {
  /** How many repositories are being opened. */
  repositories(total: number): void;
  /** For `OpenDeps.onProgress`. */
  onOpen(event: OpenProgress): void;
  /** A phase after the repositories (the line is drawn at once: the solve blocks the event loop). */
  phase(text: string): void;
  /** Clears the line (steps clear it too). */
  finish(): void;
}

const REDRAW_MS = 250;

/** A progress line for opening the repositories, redrawn while waiting (git, http). */
export function lockProgress(reporter: Reporter): LockProgress {
  let total = 0;
  let started = nowMs();
  const opened = new Map<string, () => number>();
  const busy = new Map<string, string>();
  let phase: string | undefined;
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  // Thousands with commas, written out: toLocaleString would load ICU (~20 ms) on every lock.
  const count = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, ",");
  const elapsed = () => `${((nowMs() - started) / 1000).toFixed(1)} s`;
  const line = (): string => {
    if (phase !== undefined) return `${phase} ${elapsed()}`;
    const packages = [...opened.values()].reduce((sum, n) => sum + n(), 0);
    const doing = [...busy].map(([label, what]) => ` · ${label}: ${what}`).join("");
    return `Reading repositories ${opened.size}/${total} (${count(packages)} packages)${doing} · ${elapsed()}`;
  };
  // The line is made only when drawn: off a terminal, the repositories' names are never counted.
  const draw = () => reporter.progress(line);
  const stop = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  return {
    repositories(count) {
      total = count;
    },
    onOpen(event) {
      if (finished) return;
      if (event.kind === "fetch") busy.set(event.label, "fetching");
      else if (event.kind === "cold") busy.set(event.label, "reading every opam file (first use)");
      else if (event.kind === "read") busy.set(event.label, `${count(event.files)} opam files read`);
      else if (event.kind === "save") {
        if (event.done) busy.delete(event.label);
        else busy.set(event.label, "writing its index for next time");
      }
      else {
        busy.delete(event.label);
        opened.set(event.label, event.packages);
      }
      timer ??= setInterval(draw, REDRAW_MS).unref();
      draw();
    },
    phase(text) {
      if (finished) return;
      stop();
      phase = text;
      started = nowMs();
      draw();
    },
    finish() {
      finished = true;
      stop();
      reporter.progress(undefined);
    },
  };
}
