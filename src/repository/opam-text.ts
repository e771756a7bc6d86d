// One opam file of a repository: parse and model it, or read it as an index entry. A UserError
// from the parser or the model is a value here, never swallowed: readOpam throws it.
import { isUserError, UserError } from "../core/errors.js";
import { parseOpam } from "../opam/parser.js";
import { packageFromOpam, type OpamPackage } from "../opam/package.js";
import { encodeFailure, encodeText } from "./codec.js";
import { readWithStamp } from "./file-read.js";

export type ParsedValue = OpamPackage | UserError;

/** Parse + model one opam file; a UserError (bad input) is the value. */
export function parseOpamText(text: string, file: string, name: string, version: string): ParsedValue {
  try {
    return packageFromOpam(parseOpam(text, file), name, version);
  } catch (error) {
    if (isUserError(error)) return error;
    throw error;
  }
}

/** The syntax check of a cold load: the parser's UserError, or undefined when the file parses. */
export function syntaxError(text: string, file: string): UserError | undefined {
  try {
    parseOpam(text, file);
    return undefined;
  } catch (error) {
    if (isUserError(error)) return error;
    throw error;
  }
}

/** What the index stores for one file: its text, or the failure that reading it gave. */
export type FileEntry = { stamp: string; text: { file: string; bytes: Buffer } } | { stamp: string; blob: Buffer };

/** One opam file on disk with its stamp; undefined when it does not exist (any more). */
export function readFileEntry(file: string): FileEntry | undefined {
  let read: { bytes: Buffer; stamp: string } | undefined;
  try {
    read = readWithStamp(file);
  } catch (error) {
    const failure = isUserError(error) ? error : new UserError("REPO_INVALID", `cannot read ${file}: ${(error as Error).message}`);
    return { stamp: "", blob: encodeFailure(failure) };
  }
  return read === undefined ? undefined : { stamp: read.stamp, text: { file, bytes: read.bytes } };
}

/** The entry's bytes as the index cache holds them. */
export function entryBytes(entry: FileEntry): Buffer {
  return "text" in entry ? encodeText(entry.text.file, entry.text.bytes) : entry.blob;
}
