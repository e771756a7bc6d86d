// Makes CLI output comparable across runs: temp paths, ports, durations and commits become
// placeholders before a test compares text.
export interface NormalizeOptions {
  /** Paths replaced by the given placeholder, longest first (e.g. {"/tmp/x": "<TMP>"}). */
  paths?: Record<string, string>;
}

export function normalizeOutput(text: string, options: NormalizeOptions = {}): string {
  let out = text;
  const entries = Object.entries(options.paths ?? {}).sort((a, b) => b[0].length - a[0].length);
  for (const [from, to] of entries) out = out.split(from).join(to);
  return out
    .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<PORT>")
    .replace(/\b\d+(\.\d+)?\s?(ms|s)\b/g, "<TIME>")
    .replace(/\b[0-9a-f]{40}\b/g, "<COMMIT>");
}
