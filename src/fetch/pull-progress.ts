// What a pull shows while it runs: on a TTY a progress line (done/total, repositories in flight,
// bytes fetched and the rate, how many came from the cache); otherwise an `==>` line every few
// seconds. Also the final summary. Pure apart from the Reporter and the clock.
import type { Reporter } from "../core/reporter.js";

/** Where a repository's source came from (FetchResult["from"]). */
export type SourceOrigin = "cache" | "mirror" | "url" | "git" | "local";

export interface Progress {
  onBytes(count: number): void;
  start(dir: string): void;
  done(dir: string, from?: SourceOrigin): void;
  finish(): void;
}

const MIB = 1048576;

/** `0 B`, `12.3 KiB`, `2.9 MiB`. */
export function mib(bytes: number): string {
  if (bytes === 0) return "0 B";
  return bytes < MIB ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / MIB).toFixed(1)} MiB`;
}

/** `93 from cache, 1 from mirrors, 1 from git`: the origins other than a download, as counted. */
export function originText(counts: { fromCache: number; fromMirror: number; git: number; local: number }): string {
  const parts: [number, string][] = [
    [counts.fromCache, "from cache"],
    [counts.fromMirror, "from mirrors"],
    [counts.git, "from git"],
    [counts.local, "local"],
  ];
  return parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`).join(", ");
}

/** The last line of a pull: `Successfully pulled 95/95 repositories (2.9 MiB fetched, 93 from cache) in 21.8 s`. */
export function pulledLine(pulled: number, total: number, bytes: number, origins: string, seconds: number): string {
  const detail = [`${mib(bytes)} fetched`, ...(origins === "" ? [] : [origins])].join(", ");
  return `Successfully pulled ${pulled}/${total} repositories (${detail}) in ${seconds.toFixed(1)} s`;
}

/** A progress line on a TTY; otherwise an `==>` line at most every `intervalMs` while it runs. */
export function newProgress(reporter: Reporter, total: number, tty: boolean, intervalMs = 5000, now: () => number = Date.now): Progress {
  const started = now();
  let done = 0;
  let bytes = 0;
  let cached = 0;
  const inFlight = new Set<string>();
  let lastLine = started;
  let lastDraw = 0;
  const line = () => {
    const seconds = Math.max((now() - started) / 1000, 0.001);
    const flight = inFlight.size === 0 ? "" : ` · ${inFlight.size} in flight: ${[...inFlight].slice(0, 4).join(", ")}${inFlight.size > 4 ? ", …" : ""}`;
    const rate = bytes > 0 ? ` at ${mib(bytes / seconds)}/s` : "";
    return `[${done}/${total}] repositories · ${mib(bytes)} fetched${rate}${cached > 0 ? ` · ${cached} read from cache/mirror` : ""}${flight}`;
  };
  const update = () => {
    if (tty) reporter.progress(line());
    else if (now() - lastLine >= intervalMs) {
      lastLine = now();
      reporter.step(`Pulling: ${line()}`);
    }
  };
  const throttled = () => {
    if (tty && now() - lastDraw >= 100) {
      lastDraw = now();
      update();
    }
  };
  return {
    onBytes(count) {
      bytes += count;
      throttled();
    },
    start(dir) {
      inFlight.add(dir);
      throttled();
    },
    done(dir, from) {
      done++;
      inFlight.delete(dir);
      if (from === "cache" || from === "mirror") cached++;
      reporter.info(`Pulled duniverse/${dir}${from === "cache" ? " (read from the download cache)" : from === "mirror" ? " (read from a mirror)" : ""}`);
      update();
    },
    finish() {
      if (tty) reporter.progress(undefined);
    },
  };
}
