// The depext stage's public API, for the `depext` command: select the lock file's system packages
// for this host, check them with the system package manager, print or install the missing ones.
export { runDepext, dryRunText, installQuestion, type DepextOutcome, type DepextRequest } from "./depext.js";
export { selectDepexts, depextFilterEvaluator, type DepextFilterEvaluator } from "./select.js";
export { detectPackageManager, needsRoot } from "./manager.js";
export type { PackageManager, PackageManagerKind, SupportedManager, UnsupportedManager } from "./manager.js";
export { packageStatus, missingPackages, installedQuery, availableQuery, type MissingPackages, type StatusQuery, type PackageStatus } from "./status.js";
export { planDepextInstall, usesSudo, type InstallOptions } from "./install.js";
export { formatCommand, runningAsRoot, systemRunner, systemRunnerToStderr } from "./command.js";
export type { CommandOutput, CommandRunner, RunMode, SystemCommand } from "./command.js";
export { confirm, type ConfirmOptions, type PromptStreams } from "./prompt.js";
