// The tool's own version, read once from package.json (printed by --version, written into
// generated files' trailers).
import { readFileSync } from "node:fs";

let cached: string | undefined;

export function toolVersion(): string {
  if (cached === undefined) {
    const url = new URL("../../../package.json", import.meta.url);
    cached = (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
  }
  return cached;
}
