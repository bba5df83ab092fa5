#!/usr/bin/env bash
# Regenerates this folder: inputs (make_inputs.mjs) and tuf-js's outputs for them
# (@tufjs/canonical-json via tests/interop/node/canonicalize.mjs, pinned by that folder's
# package-lock.json). Run by hand, never by the tests; then update the sha256 table in
# tests/data/PROVENANCE.md (this prints it) and review the diff.
#
#   tests/data/canonical-json/regen.sh INSTALL_DIR     (e.g. build/tufjs; not the source tree)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ "$#" = 1 ] || { echo "usage: $0 INSTALL_DIR" >&2; exit 2; }
# shellcheck disable=SC1091  # tests/interop/tufjs_lib.sh
source "$here/../../interop/tufjs_lib.sh"
tufjs_install "$1"

cd "$here"
rm -f -- *.canonical refused/*.tufjs-out refused/*.tufjs-err divergent/*.tufjs-out divergent/*.tufjs-err
node make_inputs.mjs . >/dev/null
for input in *.json refused/*.json divergent/*.json; do
  base=${input%.json}
  if [ "${input%%/*}" = "$input" ]; then
    # Agreed vectors: tuf-js must produce them.
    tufjs_canonicalize "$input" >"$base.canonical"
  elif tufjs_canonicalize "$input" >"$base.tufjs-out" 2>"$base.tufjs-err"; then
    rm -f "$base.tufjs-err"
  else
    rm -f "$base.tufjs-out"
  fi
done
echo "# $(node "$TUFJS_NODE_SRC/canonicalize.mjs" --version), node $(node --version)"
sha256sum -- *.json *.canonical refused/* divergent/* | awk '{print "| `" $2 "` | " $1 " |"}'
