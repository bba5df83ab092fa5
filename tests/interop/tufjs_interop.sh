#!/usr/bin/env bash
# Differential test (SECURITY-CHECKLIST items 4, 5): repositories made by our library —
# honest, rotated, and one per attack (tests/tools/tuf_scenarios.cc) — for each key
# algorithm, judged by our verifier (ota-manifest verify) and by tuf-js 5.0.1 served over
# loopback HTTP. Both must accept the honest ones (and download the same bytes) and
# both must reject every attack.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/tufjs_lib.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
for v in OTA_MANIFEST TUF_SCENARIOS TUFJS_CACHE; do [ -n "${!v:-}" ] || fail "$v is not set"; done
work=$(mktemp -d /tmp/ota-tufjs.XXXXXX)
trap 'serve_stop 2>/dev/null || true; rm -rf "$work"' EXIT
tufjs_install "$TUFJS_CACHE" || fail "could not install tuf-js (npm ci)"
unset SOURCE_DATE_EPOCH
checks=0

# judge SCENARIO_DIR CACHE: prints "accept" or "reject" for tuf-js against SCENARIO_DIR/repo.
tufjs_judge() {
  local dir=$1 cache=$2 out rc
  serve_start "$dir" || fail "cannot serve $dir"
  out=$(tufjs_refresh_download "$SERVE_URL/repo/metadata" "$SERVE_URL/repo/targets" "$dir/root.json" "$cache" \
        ecu/fw.bin "$cache/fw.bin") && rc=0 || rc=$?
  serve_stop
  [ "$rc" -le 1 ] || fail "tuf-js harness error ($rc) on $dir: $out"
  echo "$out" > "$cache/tufjs.json"
  [ "$rc" -eq 0 ] && echo accept || echo reject
}

for algo in ed25519 ecdsa-p256 rsa-pss-3072; do
  "$TUF_SCENARIOS" "$work/$algo" "$algo" >/dev/null || fail "tuf_scenarios $algo"
  for dir in "$work/$algo"/*/; do
    dir=${dir%/}; name=$(basename "$dir")
    [ -f "$dir/expect" ] || continue
    expect=$(cat "$dir/expect")
    ours_cache=$dir.ours; tufjs_cache=$dir.tufjs; mkdir -p "$tufjs_cache"
    # Attacks with a history: both clients first trust the newer state in before/.
    if [ -d "$dir/before" ]; then
      mv "$dir/repo" "$dir/attack"; cp -r "$dir/before" "$dir/repo"
      "$OTA_MANIFEST" verify --repo "$dir/repo" --trusted-root "$dir/root.json" --state "$ours_cache" \
        --target ecu/fw.bin 2>/dev/null >/dev/null || fail "$algo/$name: ours rejects the earlier state"
      [ "$(tufjs_judge "$dir" "$tufjs_cache")" = accept ] || fail "$algo/$name: tuf-js rejects the earlier state: $(cat "$tufjs_cache/tufjs.json")"
      rm -rf "$dir/repo"; mv "$dir/attack" "$dir/repo"
    fi
    ours=accept
    "$OTA_MANIFEST" verify --repo "$dir/repo" --trusted-root "$dir/root.json" --state "$ours_cache" \
      --target ecu/fw.bin --out "$dir.ours.bin" >/dev/null 2>"$dir.ours.err" || ours=reject
    theirs=$(tufjs_judge "$dir" "$tufjs_cache")
    [ "$ours" = "$expect" ] || fail "$algo/$name: our verifier says $ours, expected $expect: $(cat "$dir.ours.err")"
    [ "$theirs" = "$expect" ] || fail "$algo/$name: tuf-js says $theirs, expected $expect: $(cat "$tufjs_cache/tufjs.json")"
    if [ "$expect" = accept ]; then
      cmp -s "$dir.ours.bin" "$tufjs_cache/fw.bin" || fail "$algo/$name: the two clients downloaded different bytes"
    fi
    echo "$algo/$name: both $expect"
    checks=$((checks + 1))
  done
done
[ "$checks" -ge 30 ] || fail "only $checks scenarios ran"
echo "interop.tufjs: $checks scenarios, our verifier and tuf-js agree on every one"
