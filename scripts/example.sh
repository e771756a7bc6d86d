#!/usr/bin/env bash
# Runs the main job on the bundled example (fixtures/example) in a temporary copy:
# lock, pull (offline, from the bundled archive mirror), workspace, and dune build + run
# when dune is installed. Leaves the checkout untouched.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cli="$here/bin/opam-monorepo"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$here/fixtures" "$work/fixtures"
cd "$work/fixtures/example"
export XDG_CACHE_HOME="$work/cache"
ocaml_version="$(ocamlc -version 2>/dev/null || echo 4.13.1)"
set -x
"$cli" lock --ocaml-version "$ocaml_version"
"$cli" pull --archive-mirror ../mirror --offline
"$cli" verify
"$cli" list
"$cli" why greet
"$cli" workspace --target unix
{ set +x; } 2>/dev/null
if command -v dune >/dev/null 2>&1; then
  set -x
  dune build ./bin/main.exe
  ./_build/default/bin/main.exe
else
  echo "dune is not installed: skipping the build (apt-get install ocaml-nox ocaml-dune)"
fi
