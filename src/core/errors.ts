// The two error kinds: UserError (bad input; stable code, culprit, hint; exit 1) and
// InternalError (a broken invariant: a bug). ErrorCode is append-only: never rename a code.

export type ErrorCode =
  | "OPAM_PARSE"
  | "OPAM_FIELD"
  | "BAD_ARGUMENT"
  | "NOT_IMPLEMENTED"
  | "REPO_UNREACHABLE"
  | "REPO_INVALID"
  | "OPAM_ROOT"
  | "NO_TARGETS"
  | "UNKNOWN_PACKAGE"
  | "NO_SOLUTION"
  | "NOT_DUNE"
  | "CONFIG_INVALID"
  | "LOCKFILE_MISSING"
  | "LOCKFILE_AMBIGUOUS"
  | "LOCKFILE_INVALID"
  | "LOCKFILE_TOO_OLD"
  | "LOCKFILE_TOO_NEW"
  | "LOCKFILE_NAME"
  | "DUNIVERSE_DIR_CLASH"
  | "DUNIVERSE_DIR_OUTSIDE"
  | "UNKNOWN_REPOSITORY"
  | "DOWNLOAD_FAILED"
  | "CHECKSUM_MISMATCH"
  | "CHECKSUM_MISSING"
  | "ARCHIVE_INVALID"
  | "ARCHIVE_UNSAFE"
  | "GIT_FAILED"
  | "OFFLINE_MISS"
  | "COMMAND_FAILED"
  | "NO_COMPILER"
  | "WORKSPACE_EXISTS"
  | "UNKNOWN_TARGET"
  | "DEPEXT_FAILED"
  | "ABORTED"
  | "PIN_CONFLICT"
  | "PACKAGE_NAME_INVALID"
  | "DEV_REPO_INVALID"
  | "DUNIVERSE_URL_CONFLICT"
  | "DUNIVERSE_DIR_INVALID"
  | "DUNIVERSE_NOT_A_DIRECTORY"
  | "PULL_LOCKED"
  | "INTERRUPTED"
  // security: archives
  | "ARCHIVE_TOO_LARGE"
  | "EXTRACT_FAILED"
  // failures
  /** A command-line option's value does not parse: exit 124, as cmdliner does. */
  | "BAD_OPTION_VALUE"
  /** A download host whose name does not resolve or that refuses connections. */
  | "HOST_UNREACHABLE"
  /** `pull --locked` and a lock file that no longer satisfies the local opam files. */
  | "LOCKFILE_STALE"
  // security: programs, network, files
  | "GIT_REF_INVALID"
  | "GIT_URL_INVALID"
  | "DEPEXT_NAME_INVALID"
  | "HTTP_REDIRECTS"
  | "HTTP_TIMEOUT"
  | "HTTP_TOO_LARGE"
  | "NOT_A_REGULAR_FILE"
  | "FILE_TOO_LARGE"
  | "PATH_UNUSABLE"
  | "WRITE_FAILED"
  | "SOLVER_TIMEOUT";

export interface UserErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Extra structured data for --json output. */
  details?: unknown;
}

/** An error the user can fix: printed as one paragraph, exit code 1, never a stack trace. */
export class UserError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, options: UserErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "UserError";
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** A broken invariant inside the tool: a bug to report, not something the user did. */
export class InternalError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "InternalError";
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** The errno code of a Node.js system error, if it is one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}
