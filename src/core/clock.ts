// A monotonic clock in milliseconds for durations shown to users. `performance.now()` would do, but
// its first use loads perf_hooks (10 modules, ~2 ms of every lock's start).

/** Milliseconds on a monotonic clock (only differences mean anything). */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
