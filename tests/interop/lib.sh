# Shared by the interop scripts: a private work dir, pair generation, assertions.
set -euo pipefail
OTA_DELTA=$1
MAKE_PAIR=$2
WORK=$(mktemp -d /tmp/ota-interop.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
checks=0

fail() { echo "FAIL: $*" >&2; exit 1; }
same() { cmp -s "$1" "$2" || fail "$3: '$1' and '$2' differ"; checks=$((checks + 1)); }
# Pairs at the sizes the issue names, random and firmware-like.
pairs() {
  for size in 0 1 4096 1048576 3145728; do
    for kind in random structured; do
      [ "$size" -le 4096 ] && [ "$kind" = structured ] && continue
      echo "$kind-$size"
    done
  done
}
make_pair() { # NAME -> NAME.old NAME.new
  local kind=${1%-*} size=${1##*-}
  "$MAKE_PAIR" "$kind" "$size" 42 "$1.old" "$1.new"
}
