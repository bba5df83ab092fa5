#!/usr/bin/env bash
# bench/large.sh - large-image delta benchmark: ota-delta against xdelta3 and zstd on a
# pair of ext4 file-system images built from files on this machine, the way an OS
# update changes a root file system (files added, removed, changed and moved).
#
# Not a timed test: every ratio compares numbers measured in the same run.
#
# Environment (all optional):
#   OTA_DELTA        our tool (default build/release/tools/ota-delta/ota-delta)
#   LARGE_MIB        image size in MiB (default 1024)
#   LARGE_FILL_MIB   file bytes copied into each image (default 60% of LARGE_MIB)
#   LARGE_SRC        directory the files come from (default /usr/lib)
#   LARGE_WORK       scratch directory (default: a new one under $TMPDIR, removed after)
#   LARGE_JSON       results file (default out/bench/large.json)
#   LARGE_STRICT=1   exit 1 when a target is missed
#
# Targets: ota-delta's peak RSS <= 2.5 GiB for the encode; apply peak RSS independent of
# the image size beyond the source it reads; encode time printed against the peers.
set -euo pipefail
PROG=large.sh
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
cd -- "$ROOT"
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$PROG" "$*" >&2; }

OTA_DELTA=${OTA_DELTA:-build/release/tools/ota-delta/ota-delta}
MIB=${LARGE_MIB:-1024}
FILL=${LARGE_FILL_MIB:-$((MIB * 6 / 10))}
SRC=${LARGE_SRC:-/usr/lib}
JSON_OUT=${LARGE_JSON:-out/bench/large.json}
STRICT=${LARGE_STRICT:-0}
[[ $MIB =~ ^[1-9][0-9]*$ && $FILL =~ ^[1-9][0-9]*$ ]] || die "LARGE_MIB and LARGE_FILL_MIB must be positive integers"
((FILL < MIB)) || die "LARGE_FILL_MIB ($FILL) must be below LARGE_MIB ($MIB)"
[[ -x $OTA_DELTA ]] || { note "$OTA_DELTA not found; build first: ci/build.sh release"; exit 2; }
OTA_DELTA=$(cd -- "$(dirname -- "$OTA_DELTA")" && pwd)/$(basename -- "$OTA_DELTA")
[[ -d $SRC ]] || die "LARGE_SRC '$SRC' is not a directory"

need=()
command -v xdelta3 >/dev/null || need+=(xdelta3)
command -v zstd >/dev/null || need+=(zstd)
command -v mkfs.ext4 >/dev/null || [[ -x /usr/sbin/mkfs.ext4 ]] || need+=(e2fsprogs)
[[ -x /usr/bin/time ]] || need+=(time)
command -v jq >/dev/null || need+=(jq)
if ((${#need[@]})); then
    SUDO=(); [[ $(id -u) == 0 ]] || SUDO=(sudo)
    note "installing missing packages: ${need[*]}"
    "${SUDO[@]}" apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq \
        --no-install-recommends "${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
fi
MKFS=$(command -v mkfs.ext4 || echo /usr/sbin/mkfs.ext4)

if [[ -n ${LARGE_WORK:-} ]]; then TMP=$LARGE_WORK; mkdir -p -- "$TMP"; else
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/ota-bench-large.XXXXXX")
    trap 'rm -rf -- "$TMP"' EXIT
fi
trap 'exit 130' INT

# --- the two file trees -----------------------------------------------------------
# The files of SRC in name order, up to FILL MiB. Version 2 of the tree: every 23rd
# file removed, every 11th changed (a few bytes rewritten and 1-4 KiB appended, as a
# rebuilt library differs), every 37th renamed (its blocks move), and new files taken
# from past the end of the list. Deterministic for a given SRC.
note "selecting ${FILL} MiB of files from $SRC"
(cd -- "$SRC" && find . -type f -size +0 -readable -print0 2>/dev/null | LC_ALL=C sort -z) >"$TMP/all.lst"
python3 - "$SRC" "$TMP" "$FILL" <<'PY'
import os, sys
src, tmp, fill = sys.argv[1], sys.argv[2], int(sys.argv[3]) << 20
names = [n for n in open(os.path.join(tmp, "all.lst"), "rb").read().split(b"\0") if n]
def size(n):
    try: return os.path.getsize(os.path.join(src.encode(), n))
    except OSError: return 0
chosen, total, i = [], 0, 0
while i < len(names) and total < fill:
    s = size(names[i])
    if 0 < s < (64 << 20) and total + s <= fill: chosen.append(names[i]); total += s
    i += 1
extra = [n for n in names[i:] if 0 < size(n) < (8 << 20)][: max(1, len(chosen) // 20)]
for tree in ("v1", "v2"): os.makedirs(os.path.join(tmp, tree), exist_ok=True)
def put(tree, rel, data):
    path = os.path.join(tmp.encode(), tree.encode(), rel.lstrip(b"./"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f: f.write(data)
for k, n in enumerate(chosen):
    data = open(os.path.join(src.encode(), n), "rb").read()
    put("v1", n, data)
    if k % 23 == 5: continue
    if k % 11 == 3:
        b = bytearray(data)
        for j in range(0, len(b), 4099): b[j] = (b[j] + 1) & 255
        b += bytes((k * 7 + j) & 255 for j in range(1024 * (1 + k % 4)))
        data = bytes(b)
    put("v2", n + (b".moved" if k % 37 == 7 else b""), data)
for n in extra:
    put("v2", b"new/" + n.lstrip(b"./"), open(os.path.join(src.encode(), n), "rb").read())
print(f"{len(chosen)} files, {total >> 20} MiB; {len(extra)} new files", file=sys.stderr)
PY

# --- the images ---------------------------------------------------------------------
for v in v1 v2; do
    rm -f -- "$TMP/$v.img"
    E2FSPROGS_FAKE_TIME=1700000000 "$MKFS" -q -F -t ext4 -b 4096 -U 2f2e6f74-612d-6465-6c74-612d62656e63 \
        -E hash_seed=2f2e6f74-612d-6465-6c74-612d62656e63,lazy_itable_init=0,lazy_journal_init=0,root_owner=0:0 \
        -d "$TMP/$v" "$TMP/$v.img" "${MIB}M" >"$TMP/mkfs.log" 2>&1 || die "mkfs.ext4 failed: $(tail -n1 "$TMP/mkfs.log")"
done
rm -rf -- "$TMP/v1" "$TMP/v2"
OLD=$TMP/v1.img NEW=$TMP/v2.img
SIZE=$(stat -c %s "$NEW")
note "images: $OLD, $NEW ($SIZE bytes each)"

# --- measurements ---------------------------------------------------------------------
# run LABEL CMD...: elapsed seconds and peak RSS (KiB) into T_S and T_RSS
run() {
    local label=$1; shift
    /usr/bin/time -f '%e %M' -o "$TMP/time.out" "$@" >"$TMP/out.log" 2>&1 || die "$label failed: $(tail -n2 "$TMP/out.log" | tr '\n' ' ')"
    read -r T_S T_RSS <"$TMP/time.out"
}
declare -A ENC_S ENC_RSS DEC_S DEC_RSS BYTES
TOOLS=(xdelta3 zstd-long ours-ota)
for t in "${TOOLS[@]}"; do
    p=$TMP/$t.patch o=$TMP/$t.out
    rm -f -- "$p" "$o"
    sync
    note "$t: encode"
    case $t in
    xdelta3) run "$t encode" xdelta3 -e -9 -f -B $((SIZE > 2147483648 ? 2147483648 : SIZE)) -s "$OLD" "$NEW" "$p" ;;
    zstd-long) run "$t encode" zstd -q -f --long=31 --patch-from="$OLD" "$NEW" -o "$p" ;;
    ours-ota) run "$t encode" "$OTA_DELTA" create --algo ota --from "$OLD" --to "$NEW" --out "$p" ;;
    esac
    ENC_S[$t]=$T_S ENC_RSS[$t]=$T_RSS BYTES[$t]=$(stat -c %s "$p")
    note "$t: apply"
    case $t in
    xdelta3) run "$t apply" xdelta3 -d -f -B $((SIZE > 2147483648 ? 2147483648 : SIZE)) -s "$OLD" "$p" "$o" ;;
    zstd-long) run "$t apply" zstd -q -d -f --long=31 --patch-from="$OLD" "$p" -o "$o" ;;
    ours-ota) run "$t apply" "$OTA_DELTA" apply --from "$OLD" --patch "$p" --out "$o" ;;
    esac
    DEC_S[$t]=$T_S DEC_RSS[$t]=$T_RSS
    cmp -s -- "$o" "$NEW" || die "$t: the applied output differs from the new image"
    rm -f -- "$o"
done

mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
printf '\n== ext4 images of %s MiB (%s MiB of files; v2: files removed, changed, moved, added)\n' "$MIB" "$FILL"
printf '  %-10s %12s %8s %9s %9s %9s %9s\n' tool "patch bytes" "% new" "enc s" "enc MiB" "apply s" "apply MiB"
for t in "${TOOLS[@]}"; do
    printf '  %-10s %12s %8s %9s %9s %9s %9s\n' "$t" "${BYTES[$t]}" \
        "$(awk -v a="${BYTES[$t]}" -v b="$SIZE" 'BEGIN { printf "%.2f", 100 * a / b }')" \
        "${ENC_S[$t]}" "$(mib "${ENC_RSS[$t]}")" "${DEC_S[$t]}" "$(mib "${DEC_RSS[$t]}")"
done
misses=0
limit_kib=$((2560 * 1024))
enc_ok=PASS; ((ENC_RSS[ours-ota] <= limit_kib)) || { enc_ok=MISS; misses=$((misses + 1)); }
# Apply holds the source it reads (the image size) plus bounded buffers: target <= source + 256 MiB.
app_limit=$((SIZE / 1024 + 256 * 1024))
app_ok=PASS; ((DEC_RSS[ours-ota] <= app_limit)) || { app_ok=MISS; misses=$((misses + 1)); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
printf '  %-52s %9s MiB  (target <= 2560)  %s\n' "ours-ota encode peak RSS" "$(mib "${ENC_RSS[ours-ota]}")" "$enc_ok"
printf '  %-52s %9s MiB  (target <= source + 256)  %s\n' "ours-ota apply peak RSS" "$(mib "${DEC_RSS[ours-ota]}")" "$app_ok"
printf '  %-52s %9s\n' "ours-ota encode time / xdelta3 -9 -B" "$(ratio "${ENC_S[ours-ota]}" "${ENC_S[xdelta3]}")"
printf '  %-52s %9s\n' "ours-ota encode time / zstd --long=31" "$(ratio "${ENC_S[ours-ota]}" "${ENC_S[zstd-long]}")"
printf '  %-52s %9s\n' "ours-ota patch / xdelta3 patch" "$(ratio "${BYTES[ours-ota]}" "${BYTES[xdelta3]}")"
printf '  %-52s %9s\n' "ours-ota patch / zstd patch" "$(ratio "${BYTES[ours-ota]}" "${BYTES[zstd-long]}")"

mkdir -p -- "$(dirname -- "$JSON_OUT")"
{
    for t in "${TOOLS[@]}"; do
        jq -cn --arg t "$t" --argjson b "${BYTES[$t]}" --argjson es "${ENC_S[$t]}" --argjson er "${ENC_RSS[$t]}" \
            --argjson ds "${DEC_S[$t]}" --argjson dr "${DEC_RSS[$t]}" \
            '{($t): {patch_bytes: $b, encode_s: $es, encode_rss_kib: $er, apply_s: $ds, apply_rss_kib: $dr}}'
    done
} | jq -s --argjson size "$SIZE" --argjson fill "$FILL" --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --arg enc "$enc_ok" --arg app "$app_ok" --argjson misses "$misses" \
    '{benchmark: "large", image_bytes: $size, fill_mib: $fill, date: $date, tools: add,
      targets: {encode_rss_le_2560_mib: $enc, apply_rss_le_source_plus_256_mib: $app}, misses: $misses}' >"$JSON_OUT.tmp"
mv -f -- "$JSON_OUT.tmp" "$JSON_OUT"
printf '\nresults: %s; targets missed: %d\n' "$JSON_OUT" "$misses"
[[ $STRICT == 1 && $misses -gt 0 ]] && exit 1
exit 0
