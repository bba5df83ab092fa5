#!/usr/bin/env bash
# Differential test (SECURITY-CHECKLIST items 4, 5; issue 9 §5): repositories made by our
# library — honest, rotated, and one per attack (tests/tools/tuf_scenarios.cc) — for each
# key algorithm, judged by our verifier (ota-manifest verify), by ota-fetch and by tuf-js
# 5.0.1, the last two over loopback HTTP from the same server. All must accept the honest
# ones (and download the same bytes) and all must reject every attack.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/tufjs_lib.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
for v in OTA_MANIFEST OTA_FETCH TUF_SCENARIOS TUFJS_CACHE; do [ -n "${!v:-}" ] || fail "$v is not set"; done
work=$(mktemp -d /tmp/ota-tufjs.XXXXXX)
trap 'serve_stop 2>/dev/null || true; rm -rf "$work"' EXIT
tufjs_install "$TUFJS_CACHE" || fail "could not install tuf-js (npm ci)"
unset SOURCE_DATE_EPOCH
checks=0

# ota-fetch's verdict on SCENARIO_DIR/repo at $SERVE_URL, its metadata dir DIR.fetch/md
# kept between calls like a device's (init once), its targets in DIR.fetch/tg.
fetch_judge() {
  local dir=$1 state=$1.fetch
  mkdir -p "$state"
  if [ ! -f "$state/md/root.json" ]; then
    "$OTA_FETCH" --metadata-dir "$state/md" init "$dir/root.json" >/dev/null 2>"$state/err" || { echo reject; return; }
  fi
  rm -f "$state/tg/ecu%2Ffw.bin"
  if "$OTA_FETCH" --metadata-dir "$state/md" --metadata-url "$SERVE_URL/repo/metadata/" \
       --target-base-url "$SERVE_URL/repo/targets/" --target-dir "$state/tg" --target-name ecu/fw.bin download \
       >/dev/null 2>"$state/err"; then
    echo accept
  else
    echo reject
  fi
}

# judge SCENARIO_DIR CACHE: prints "accept" or "reject" for tuf-js against SCENARIO_DIR/repo,
# and leaves ota-fetch's verdict on the same server in SCENARIO_DIR.fetch/verdict.
tufjs_judge() {
  local dir=$1 cache=$2 out rc
  serve_start "$dir" || fail "cannot serve $dir"
  out=$(tufjs_refresh_download "$SERVE_URL/repo/metadata" "$SERVE_URL/repo/targets" "$dir/root.json" "$cache" \
        ecu/fw.bin "$cache/fw.bin") && rc=0 || rc=$?
  fetch_judge "$dir" > "$dir.verdict"
  mkdir -p "$dir.fetch"; mv "$dir.verdict" "$dir.fetch/verdict"
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
      [ "$(cat "$dir.fetch/verdict")" = accept ] || fail "$algo/$name: ota-fetch rejects the earlier state: $(cat "$dir.fetch/err")"
      rm -rf "$dir/repo"; mv "$dir/attack" "$dir/repo"
    fi
    ours=accept
    "$OTA_MANIFEST" verify --repo "$dir/repo" --trusted-root "$dir/root.json" --state "$ours_cache" \
      --target ecu/fw.bin --out "$dir.ours.bin" >/dev/null 2>"$dir.ours.err" || ours=reject
    theirs=$(tufjs_judge "$dir" "$tufjs_cache")
    [ "$ours" = "$expect" ] || fail "$algo/$name: our verifier says $ours, expected $expect: $(cat "$dir.ours.err")"
    [ "$theirs" = "$expect" ] || fail "$algo/$name: tuf-js says $theirs, expected $expect: $(cat "$tufjs_cache/tufjs.json")"
    fetched=$(cat "$dir.fetch/verdict")
    [ "$fetched" = "$expect" ] || fail "$algo/$name: ota-fetch says $fetched, expected $expect: $(cat "$dir.fetch/err")"
    if [ "$expect" = accept ]; then
      cmp -s "$dir.ours.bin" "$tufjs_cache/fw.bin" || fail "$algo/$name: the two clients downloaded different bytes"
      cmp -s "$dir.fetch/tg/ecu%2Ffw.bin" "$tufjs_cache/fw.bin" || fail "$algo/$name: ota-fetch downloaded other bytes"
    else
      [ ! -e "$dir.fetch/tg/ecu%2Ffw.bin" ] || fail "$algo/$name: ota-fetch stored a target it rejected"
    fi
    echo "$algo/$name: all three $expect"
    checks=$((checks + 1))
  done
done
# The tools end to end, keys in a SoftHSM2 token of three algorithms (root ECDSA P-256,
# targets RSA-PSS, snapshot and timestamp Ed25519), then a root rotation by the CLI that
# revokes the timestamp key and raises the root threshold: tuf-js, starting from root 1,
# must follow the chain.
if [ -n "${KEYS_EXAMPLE:-}" ] && [ -n "${OTA_KEYS:-}" ]; then
  h=$work/hsm; eval "$("$KEYS_EXAMPLE/softhsm-token.sh" "$h/token")"
  pin="?pin-source=$OTA_EXAMPLE_PIN_SOURCE"; t="pkcs11:token=$OTA_EXAMPLE_TOKEN;object="
  for spec in r1:ecdsa-p256 r2:ed25519 tg:rsa-pss-3072 sn:ed25519 ts:ed25519 ts2:ecdsa-p256; do
    "$OTA_KEYS" generate --algo "${spec#*:}" --key "$t${spec%%:*}$pin" >/dev/null 2>&1 || fail "generate ${spec%%:*}"
  done
  config() {  # config ROOT_KEYS ROOT_THRESHOLD TIMESTAMP_KEY
    printf 'roles:\n  root: {keys: [%s], threshold: %s}\n  targets: {keys: ["%s"], threshold: 1}\n  snapshot: {keys: ["%s"]}\n  timestamp: {keys: ["%s"]}\n' \
      "$1" "$2" "${t}tg$pin" "${t}sn$pin" "${t}$3$pin"
  }
  config "\"${t}r1$pin\"" 1 ts > "$h/v1.yaml"
  config "\"${t}r1$pin\", \"${t}r2$pin\"" 2 ts2 > "$h/v2.yaml"
  d=$work/softhsm; mkdir -p "$d"
  "$OTA_MANIFEST" init --config "$h/v1.yaml" --repo "$d/repo" >/dev/null 2>&1 || fail "softhsm: init"
  head -c 50000 /dev/urandom > "$h/fw.bin"
  "$OTA_MANIFEST" add --repo "$d/repo" --file "$h/fw.bin" --name ecu/fw.bin --version 1 --hardware-id hw >/dev/null 2>&1
  "$OTA_MANIFEST" publish --repo "$d/repo" >/dev/null 2>&1 || fail "softhsm: publish"
  cp "$d/repo/metadata/1.root.json" "$d/root.json"; mkdir -p "$d.tufjs"
  [ "$(tufjs_judge "$d" "$d.tufjs")" = accept ] || fail "softhsm: tuf-js rejects: $(cat "$d.tufjs/tufjs.json")"
  "$OTA_MANIFEST" root --repo "$d/repo" --config "$h/v2.yaml" >/dev/null 2>&1 || fail "softhsm: root rotation"
  "$OTA_MANIFEST" publish --repo "$d/repo" >/dev/null 2>&1 || fail "softhsm: publish after rotation"
  [ "$(tufjs_judge "$d" "$d.tufjs")" = accept ] || fail "softhsm: tuf-js rejects the rotated repository: $(cat "$d.tufjs/tufjs.json")"
  "$OTA_MANIFEST" verify --repo "$d/repo" --trusted-root "$d/root.json" --target ecu/fw.bin >/dev/null 2>&1 ||
    fail "softhsm: our verifier rejects the rotated repository"
  cmp -s "$d.tufjs/fw.bin" "$h/fw.bin" || fail "softhsm: tuf-js downloaded other bytes"
  # A rotation below the new threshold (root 2 needs r1 and r2; r2 left out of the keys
  # available) is refused by ota-manifest before anything is written.
  config "\"${t}r1$pin\", \"pkcs11:token=$OTA_EXAMPLE_TOKEN;object=absent$pin\"" 2 ts2 > "$h/v3.yaml"
  if "$OTA_MANIFEST" root --repo "$d/repo" --config "$h/v3.yaml" >/dev/null 2>&1; then fail "softhsm: a rotation without its keys was accepted"; fi
  [ ! -e "$d/repo/metadata/3.root.json" ] || fail "softhsm: 3.root.json written by a refused rotation"
  echo "softhsm: ECDSA/Ed25519/RSA token keys, rotation by the CLI: both accept; a rotation without its keys refused"
  checks=$((checks + 1))
fi
# An Uptane director made by the CLI (director --fleet): its targets metadata carries a
# field of our own, custom.vehicle, at the role level. tuf-js must accept it (TUF allows
# such fields; they are signed) and download the assigned image, served beside it.
if [ -n "${OTA_KEYS:-}" ]; then
  u=$work/uptane; mkdir -p "$u/keys" "$u/dkeys"
  for k in root targets snapshot timestamp; do
    "$OTA_KEYS" generate --algo ecdsa-p256 --key "file:$u/keys/$k.pem" >/dev/null 2>&1 || fail "uptane: key $k"
    "$OTA_KEYS" generate --algo ed25519 --key "file:$u/dkeys/$k.pem" >/dev/null 2>&1 || fail "uptane: director key $k"
  done
  for kind in keys dkeys; do
    printf 'roles:\n  root: {keys: [file:%s/root.pem], threshold: 1}\n  targets: {keys: [file:%s/targets.pem], threshold: 1}\n  snapshot: {keys: [file:%s/snapshot.pem]}\n  timestamp: {keys: [file:%s/timestamp.pem]}\n' \
      "$kind" "$kind" "$kind" "$kind" > "$u/$kind.yaml"
  done
  head -c 70000 /dev/urandom > "$u/fw.bin"
  "$OTA_MANIFEST" init --config "$u/keys.yaml" --repo "$u/image" >/dev/null 2>&1 || fail "uptane: init"
  "$OTA_MANIFEST" add --repo "$u/image" --file "$u/fw.bin" --name ecu/fw.bin --version 2 --hardware-id hw-a \
    >/dev/null 2>&1 || fail "uptane: add"
  "$OTA_MANIFEST" publish --repo "$u/image" >/dev/null 2>&1 || fail "uptane: publish"
  printf 'vehicles:\n  - vin: VIN-1\n    ecus: [{serial: ECU-1, hardware_id: hw-a, target: ecu/fw.bin, installed_version: "1"}]\n' \
    > "$u/fleet.yaml"
  "$OTA_MANIFEST" director --fleet "$u/fleet.yaml" --fleet-dir "$u/directors" --config "$u/dkeys.yaml" \
    --image-repo "$u/image" --image-root "$u/image/metadata/1.root.json" >/dev/null 2>&1 || fail "uptane: director --fleet"
  d=$work/director; mkdir -p "$d.tufjs"
  mkdir -p "$d"; cp -r "$u/directors/VIN-1" "$d/repo"
  cp -r "$u/image/targets/." "$d/repo/targets/"; cp "$d/repo/metadata/1.root.json" "$d/root.json"
  grep -q '"custom":{"vehicle":"VIN-1"}' "$d/repo/metadata/2.targets.json" || fail "uptane: no vehicle id in the director targets"
  [ "$(tufjs_judge "$d" "$d.tufjs")" = accept ] || fail "uptane: tuf-js rejects the director repository: $(cat "$d.tufjs/tufjs.json")"
  cmp -s "$d.tufjs/fw.bin" "$u/fw.bin" || fail "uptane: tuf-js downloaded other bytes from the director"
  "$OTA_MANIFEST" verify --repo "$d/repo" --trusted-root "$d/root.json" --vehicle VIN-1 --target ecu/fw.bin \
    >/dev/null 2>&1 || fail "uptane: our verifier rejects the director repository"
  echo "uptane: a director with custom.vehicle, made by director --fleet: both accept"
  checks=$((checks + 1))
fi
[ "$checks" -ge 30 ] || fail "only $checks scenarios ran"
echo "interop.tufjs: $checks scenarios, our verifier and tuf-js agree on every one"
