// What the index cache writes for one table entry (package-table.ts): its opam text, with the
// facts of its package when they are wanted and parsed; a failure, or stored bytes, as they are.
import { UserError } from "../core/errors.js";
import { factsEntryHeader, factsHeadLength, isFactsEntry, textBytesOfEntry, textEntryHeader } from "./codec.js";
import type { EntryToWrite } from "./index-cache.js";
import { encodeFacts } from "./package-facts.js";
import type { TableEntry } from "./table-entry.js";

/**
 * The bytes to write for `entry` (`bytesOf` gives its stored or re-derived bytes when it holds no
 * text as read); `head` is the length of a facts entry's facts part. Undefined: nothing to write.
 */
export function entryParts(entry: TableEntry, bytesOf: () => Buffer | undefined): Omit<EntryToWrite, "version" | "stamp"> | undefined {
  const parsed = entry.factsWanted && entry.value !== undefined && !(entry.value instanceof UserError) ? entry.value : undefined;
  if (entry.text !== undefined) {
    const header = parsed === undefined ? textEntryHeader(entry.text.file) : factsEntryHeader(entry.text.file, encodeFacts(parsed));
    return { blob: [header, entry.text.bytes], head: factsHeadLength(header) };
  }
  const bytes = bytesOf();
  if (bytes === undefined) return undefined;
  const text = parsed === undefined || isFactsEntry(bytes) ? undefined : textBytesOfEntry(bytes);
  if (text === undefined) return { blob: bytes, head: factsHeadLength(bytes) };
  const header = factsEntryHeader(parsed!.file, encodeFacts(parsed!));
  return { blob: [header, text], head: header.length };
}
