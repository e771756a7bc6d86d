#!/usr/bin/env bash
# Draws the bundled example's dependency graph for the README: locks fixtures/example in a
# temporary copy (OCaml 4.13.1, as the tests do), prints it with `tree --format dot` and renders
# docs/example-graph.svg with Graphviz (`apt-get install graphviz`). Keeps the .dot beside it;
# test/e2e/tree.test.ts checks that the committed .dot is still what `tree` prints.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cli="$here/bin/opam-monorepo"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$here/fixtures" "$work/fixtures"
cd "$work/fixtures/example"
export XDG_CACHE_HOME="$work/cache"
"$cli" lock --ocaml-version 4.13.1 -q
"$cli" tree --format dot > "$here/docs/example-graph.dot"
dot -Tsvg "$here/docs/example-graph.dot" > "$here/docs/example-graph.svg.tmp"
mv "$here/docs/example-graph.svg.tmp" "$here/docs/example-graph.svg"
echo "wrote docs/example-graph.dot and docs/example-graph.svg"
