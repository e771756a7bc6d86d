// Writes the man pages (dist/man/man1/opam-monorepo.1 and opam-monorepo-<command>.1) from the
// compiled CLI's command tree, in the groff that `opam-monorepo COMMAND --help=groff` prints.
// npm installs them with the package (package.json `directories.man`).
import { rmSync } from "node:fs";
import { fullProgram, writeManPages } from "../dist/src/cli/help.js";
import { toolVersion } from "../dist/src/cli/version.js";

rmSync("dist/man", { recursive: true, force: true });
const { program, examplesOf } = await fullProgram(toolVersion());
writeManPages(program, "dist/man", toolVersion(), examplesOf);
