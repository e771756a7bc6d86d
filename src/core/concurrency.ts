// Bounded parallelism and in-flight de-duplication: mapConcurrent runs at most `limit` tasks at
// once and settles every task before reporting; singleFlight shares one promise per key.
import pLimit from "p-limit";

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Run `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapConcurrent<I, O>(items: readonly I[], limit: number, fn: (item: I, index: number) => Promise<O>): Promise<Settled<O>[]> {
  const gate = pLimit(Math.max(1, limit));
  return Promise.all(
    items.map((item, index) =>
      gate(async (): Promise<Settled<O>> => {
        try {
          return { ok: true, value: await fn(item, index) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    ),
  );
}

/** Calls with the same key while one is running share its promise. */
export function singleFlight<K, V>(): (key: K, fn: () => Promise<V>) => Promise<V> {
  const running = new Map<K, Promise<V>>();
  return (key, fn) => {
    const existing = running.get(key);
    if (existing) return existing;
    const started = fn().finally(() => running.delete(key));
    running.set(key, started);
    return started;
  };
}
