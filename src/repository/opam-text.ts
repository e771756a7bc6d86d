// One opam file of a repository: parse and model it, encode the result. A UserError from the
// parser or the model is a value here, never swallowed: it is stored and thrown by readOpam.
import { isUserError, UserError } from "../core/errors.js";
import { parseOpam } from "../opam/parser.js";
import { packageFromOpam, type OpamPackage } from "../opam/package.js";
import { encodeFailure, encodePackage } from "./codec.js";
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

export function encodeValue(value: ParsedValue): Buffer {
  return value instanceof UserError ? encodeFailure(value) : encodePackage(value);
}

/** Parse + model + encode one opam file (a UserError becomes an encoded failure). */
export function encodeOpamText(text: string, file: string, name: string, version: string): Buffer {
  return encodeValue(parseOpamText(text, file, name, version));
}

/** Reads and parses one opam file on disk; undefined when it does not exist (any more). */
export function readOpamFile(file: string, name: string, version: string): { stamp: string; value: ParsedValue } | undefined {
  let read: { text: string; stamp: string } | undefined;
  try {
    read = readWithStamp(file);
  } catch (error) {
    return { stamp: "", value: new UserError("REPO_INVALID", `cannot read ${file}: ${(error as Error).message}`) };
  }
  return read === undefined ? undefined : { stamp: read.stamp, value: parseOpamText(read.text, file, name, version) };
}
