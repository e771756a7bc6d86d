// SHA-256 of a text, for names that must not collide (a git checkout or a downloaded repository
// per URL). node:crypto is loaded on first use: loading it costs ~6 ms, which every command that
// opens a repository paid at start-up before (only git and http repositories need it).

/** The SHA-256 of `text` (UTF-8), as 64 hex digits. */
export async function sha256Hex(text: string): Promise<string> {
  const { createHash } = await import("node:crypto");
  return createHash("sha256").update(text).digest("hex");
}
