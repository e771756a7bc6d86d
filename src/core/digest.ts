// SHA-256 of a text, for names that must not collide (a git checkout or a downloaded repository
// per URL). node:crypto is loaded on first use: loading it costs ~6 ms, which every command that
// opens a repository paid at start-up before (only git and http repositories need it).
import { createRequire } from "node:module";

/** The SHA-256 of `text` (UTF-8), as 64 hex digits. */
export function sha256Hex(text: string): string {
  const { createHash } = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  return createHash("sha256").update(text).digest("hex");
}
