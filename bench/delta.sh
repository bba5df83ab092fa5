#!/usr/bin/env bash
# bench/delta.sh - delta benchmark: ota-delta against bsdiff, xdelta3 and zstd.
#
# Not a timed test: every ratio it prints compares numbers measured in the
# same run on the same machine. See bench/README.md.
#
# Environment (all optional):
#   OTA_DELTA         our tool (default build/release/tools/ota-delta/ota-delta)
#   BENCH_CORPUS      corpus cache dir (default out/bench/corpus)
#   BENCH_VERSIONS    @esbuild/linux-x64 versions, space or comma separated
#                     (default "0.24.0 0.24.1 0.24.2 0.25.0"); consecutive pairs
#   BENCH_REPEAT      encoder runs per measurement, best-of-N (default 1)
#   BENCH_APPLY_REPS  applies per throughput measurement (default 5)
#   BENCH_ULTRA=0     skip the zstd --ultra -22 peer (slow; measured by default)
#   BENCH_STRICT=1    any MISSed target makes the exit status 1
#   BENCH_JSON        JSON results file (default out/bench/delta.json)
#   BENCH_PEERS_ONLY=1  measure the peers only (no ota-delta needed)
#
# Exit status: 0 all ran and round-tripped; 1 a command or round trip failed
# (or a MISS with BENCH_STRICT=1); 2 ota-delta is not built.
set -euo pipefail

PROG=delta.sh
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
cd -- "$ROOT"

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$PROG" "$*" >&2; }
# Any other failing command: one line, exit 1 (reported once, by the main shell).
MAIN_PID=$$
set -E
# shellcheck disable=SC2317  # invoked by the ERR trap
on_err() {
    if [[ $BASHPID == "$MAIN_PID" ]]; then die "command failed (exit $1) at line $2: $3"; fi
    exit 1
}
trap 'on_err "$?" "$LINENO" "$BASH_COMMAND"' ERR

OTA_DELTA=${OTA_DELTA:-build/release/tools/ota-delta/ota-delta}
CORPUS=${BENCH_CORPUS:-out/bench/corpus}
REPEAT=${BENCH_REPEAT:-1}
APPLY_REPS=${BENCH_APPLY_REPS:-5}
ULTRA=${BENCH_ULTRA:-1}
STRICT=${BENCH_STRICT:-0}
JSON_OUT=${BENCH_JSON:-out/bench/delta.json}
PEERS_ONLY=${BENCH_PEERS_ONLY:-0}
PKG='@esbuild/linux-x64'
PKG_FILE='package/bin/esbuild'

VERSIONS_S=${BENCH_VERSIONS:-0.24.0 0.24.1 0.24.2 0.25.0}
read -r -a VERSIONS <<<"${VERSIONS_S//,/ }"

[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT must be a positive integer, got '$REPEAT'"
[[ $APPLY_REPS =~ ^[1-9][0-9]*$ ]] || die "BENCH_APPLY_REPS must be a positive integer, got '$APPLY_REPS'"
((${#VERSIONS[@]} >= 2)) || die "BENCH_VERSIONS needs at least two versions, got '$VERSIONS_S'"
for v in "${VERSIONS[@]}"; do
    [[ $v =~ ^[0-9A-Za-z][0-9A-Za-z.+-]*$ ]] || die "bad version '$v' in BENCH_VERSIONS"
done

# --- our tool --------------------------------------------------------------
if [[ $PEERS_ONLY != 1 ]]; then
    if [[ ! -f $OTA_DELTA || ! -x $OTA_DELTA ]]; then
        printf '%s: %s not found; build first: ci/build.sh release (or set OTA_DELTA, or BENCH_PEERS_ONLY=1)\n' \
            "$PROG" "$OTA_DELTA" >&2
        exit 2
    fi
    OTA_DELTA=$(cd -- "$(dirname -- "$OTA_DELTA")" && pwd)/$(basename -- "$OTA_DELTA")
fi
# Build type of the default build tree, when there is one (timings of a Debug
# build say little).
BUILD_TYPE=''
if [[ $PEERS_ONLY != 1 && $OTA_DELTA == "$ROOT/build/release/"* && -f $ROOT/build/release/CMakeCache.txt ]]; then
    BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$ROOT/build/release/CMakeCache.txt" | head -n1)
    case $BUILD_TYPE in
    Release | RelWithDebInfo) ;;
    *) note "warning: build/release is configured as '${BUILD_TYPE:-<none>}', not Release; timings will not be representative" ;;
    esac
fi

# --- scratch space -----------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ota-bench-delta.XXXXXX")
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() { rm -rf -- "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- peers -------------------------------------------------------------------
corpus_complete() {
    local v
    for v in "${VERSIONS[@]}"; do [[ -s $CORPUS/esbuild-$v ]] || return 1; done
}

need=()
command -v bsdiff >/dev/null 2>&1 && command -v bspatch >/dev/null 2>&1 || need+=(bsdiff)
command -v xdelta3 >/dev/null 2>&1 || need+=(xdelta3)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
[[ -x /usr/bin/time ]] || need+=(time)
command -v jq >/dev/null 2>&1 || need+=(jq)
if ! corpus_complete; then
    command -v npm >/dev/null 2>&1 || need+=(npm)
fi
if ((${#need[@]})); then
    SUDO=()
    if [[ $(id -u) != 0 ]]; then
        command -v sudo >/dev/null 2>&1 || die "missing packages: ${need[*]} (apt-get install ${need[*]})"
        SUDO=(sudo)
    fi
    note "installing missing packages: ${need[*]}"
    "${SUDO[@]}" apt-get update -qq >"$TMP/apt.log" 2>&1 ||
        die "apt-get update failed (see: $(tail -n1 "$TMP/apt.log"))"
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" \
        >>"$TMP/apt.log" 2>&1 || die "apt-get install ${need[*]} failed: $(tail -n1 "$TMP/apt.log")"
fi

# --- corpus ------------------------------------------------------------------
mkdir -p -- "$CORPUS"
for v in "${VERSIONS[@]}"; do
    dest=$CORPUS/esbuild-$v
    [[ -s $dest ]] && continue
    note "fetching $PKG@$v"
    dl=$TMP/npm-$v
    mkdir -p -- "$dl"
    tgz=$(cd -- "$dl" && npm pack "$PKG@$v" --pack-destination "$dl" --silent 2>"$dl/npm.err" | tail -n1) ||
        die "npm pack $PKG@$v failed: $(tail -n1 "$dl/npm.err")"
    [[ -n $tgz && -f $dl/$tgz ]] || die "npm pack $PKG@$v produced no tarball"
    tar -xzf "$dl/$tgz" -C "$dl" "$PKG_FILE" || die "no $PKG_FILE in $PKG@$v"
    [[ -s $dl/$PKG_FILE ]] || die "empty $PKG_FILE in $PKG@$v"
    mv -f -- "$dl/$PKG_FILE" "$dest.part.$$"
    mv -f -- "$dest.part.$$" "$dest"
    rm -rf -- "$dl"
done

# --- measurement helpers -----------------------------------------------------
# awk with float math; usage: calc 'expr using a,b,c' a b c
calc() {
    local expr=$1; shift
    awk -v a="${1:-0}" -v b="${2:-0}" -v c="${3:-0}" -v d="${4:-0}" "BEGIN { $expr }"
}

one_line() { tr '\n\r' '  ' <"$1" | sed 's/  */ /g; s/^ //; s/ $//' | cut -c1-300; }

# timed LABEL STDOUT_FILE CMD... -> T_S (elapsed s), T_RSS (KiB), T_CPU (user+sys s)
# Best-of-BENCH_REPEAT: minimum elapsed, maximum peak RSS over the runs.
timed() {
    local label=$1 out=$2 i e m u s
    shift 2
    T_S='' T_RSS=0 T_CPU=''
    for ((i = 0; i < REPEAT; i++)); do
        if ! /usr/bin/time -f '%e %M %U %S' -o "$TMP/time.out" "$@" >"$out" 2>"$TMP/stderr.out"; then
            die "$label failed: $(one_line "$TMP/stderr.out")"
        fi
        read -r e m u s < <(tail -n1 "$TMP/time.out")
        if [[ -z $T_S ]] || calc 'exit !(a < b)' "$e" "$T_S"; then
            T_S=$e
            T_CPU=$(calc 'printf "%.2f", a + b' "$u" "$s")
        fi
        if ((m > T_RSS)); then T_RSS=$m; fi
    done
    return 0
}

# rate LABEL CMD... -> R_S: mean seconds per run over APPLY_REPS runs (wall clock)
rate() {
    local label=$1 i t0 t1
    shift
    t0=$(date +%s%N)
    for ((i = 0; i < APPLY_REPS; i++)); do
        "$@" >/dev/null 2>"$TMP/stderr.out" || die "$label failed: $(one_line "$TMP/stderr.out")"
    done
    t1=$(date +%s%N)
    R_S=$(calc 'printf "%.6f", (b - a) / 1e9 / c' "$t0" "$t1" "$APPLY_REPS")
}

same() { cmp -s -- "$1" "$2" || die "round trip mismatch: $3 output differs from $4"; }

# encode TOOL OLD NEW PATCH
encode() {
    local tool=$1 old=$2 new=$3 patch=$4 out=$TMP/stdout.out
    rm -f -- "$patch"
    case $tool in
    bsdiff) timed "bsdiff encode" "$out" bsdiff "$old" "$new" "$patch" ;;
    xdelta3) timed "xdelta3 encode" "$out" xdelta3 -e -9 -f -s "$old" "$new" "$patch" ;;
    zstd) timed "zstd encode" "$out" zstd -q -f -19 --patch-from="$old" "$new" -o "$patch" ;;
    zstd-ultra) timed "zstd --ultra encode" "$out" zstd -q -f --ultra -22 --patch-from="$old" "$new" -o "$patch" ;;
    ours-*)
        out=$TMP/create-${tool#ours-}.json
        timed "ota-delta create --algo ${tool#ours-}" "$out" \
            "$OTA_DELTA" create --algo "${tool#ours-}" --from "$old" --to "$new" --out "$patch" --json
        ;;
    esac
    [[ -f $patch ]] || die "$tool encode wrote no patch file $patch"
}

# decode_cmd TOOL OLD PATCH OUT -> DEC array
decode_cmd() {
    local tool=$1 old=$2 patch=$3 out=$4
    case $tool in
    bsdiff) DEC=(bspatch "$old" "$out" "$patch") ;;
    xdelta3) DEC=(xdelta3 -d -f -s "$old" "$patch" "$out") ;;
    zstd | zstd-ultra) DEC=(zstd -q -d -f --long=31 --patch-from="$old" "$patch" -o "$out") ;;
    ours-*) DEC=("$OTA_DELTA" apply --from "$old" --patch "$patch" --out "$out" --json) ;;
    esac
}

# JSON field from a file, or the fallback when absent/unparseable.
jfield() { jq -r --arg f "$2" 'if type == "object" and has($f) then .[$f] | tostring else empty end' "$1" 2>/dev/null || true; }

# --- the run -----------------------------------------------------------------
PEERS=(bsdiff xdelta3 zstd)
if [[ $ULTRA == 1 ]]; then PEERS+=(zstd-ultra); fi
OURS=()
HAVE_OURS=0
if [[ $PEERS_ONLY != 1 ]]; then OURS=(ours-bsdiff ours-zstd ours-ota ours-auto) HAVE_OURS=1; fi
TOOLS=("${PEERS[@]}" "${OURS[@]}")

declare -A P_BYTES ENC_S ENC_RSS ENC_CPU DEC_RSS APP_S APP_MBS
declare -A TOT_BYTES TOT_ENC TOT_CPU TOT_ENC_RSS TOT_APP_S TOT_DEC_RSS
TOT_NEW=0
MISSES=0
PAIRS_JSON=$TMP/pairs.jsonl
: >"$PAIRS_JSON"
for t in "${TOOLS[@]}"; do
    TOT_BYTES[$t]=0 TOT_ENC[$t]=0 TOT_CPU[$t]=0 TOT_ENC_RSS[$t]=0 TOT_APP_S[$t]=0 TOT_DEC_RSS[$t]=0
done

mib() { calc 'printf "%.1f", a / 1024' "$1"; }
# mark CONDITION VALUE -> PASS or MISS (a null ratio is a MISS); runs in $(...),
# so count_misses tallies the results afterwards.
mark() {
    if [[ $2 != null ]] && calc "exit !($1)" "$2" "${3:-0}"; then echo PASS; else echo MISS; fi
}
# ratio printing: "n/a" when the divisor is zero
ratio() { calc 'if (b == 0) print "null"; else printf "%.4f", a / b' "$1" "$2"; }

print_row() {
    printf '  %-12s %11s %6s %8s %8s %8s %8s %10s %9s\n' "$@"
}

# evaluate targets; prints lines and sets R_* for JSON
# args: label auto_bytes min_peer_bytes min_peer_name bs_enc ours_bs_enc bs_rss ours_bs_rss auto_mbs
evaluate() {
    local label=$1 ab=$2 pb=$3 pn=$4 be=$5 oe=$6 br=$7 orr=$8 ambs=$9
    R_SIZE=null R_SPEED=null R_RSS=null M_SIZE=n/a M_SPEED=n/a M_RSS=n/a M_APPLY=n/a
    if ((!HAVE_OURS)); then
        printf '  targets: n/a (BENCH_PEERS_ONLY=1)\n'
        return 0
    fi
    # %e resolves to 0.01 s: a 0.00 encode time counts as 0.01 s.
    oe=$(calc 'printf "%.2f", (a < 0.01 ? 0.01 : a)' "$oe")
    R_SIZE=$(ratio "$ab" "$pb")
    R_SPEED=$(ratio "$be" "$oe")
    R_RSS=$(ratio "$orr" "$br")
    # size and RSS compare the raw integers, not the rounded ratio
    M_SIZE=$(mark 'a * 100 <= b * 85' "$ab" "$pb")
    M_SPEED=$(mark 'a >= 3.0' "$R_SPEED")
    M_RSS=$(mark 'a <= b' "$orr" "$br")
    M_APPLY=$(mark 'a >= 300' "$ambs")
    printf '  %-44s %8s  (target <= 0.85)  %s\n' "ours-auto size / smallest peer ($pn)" "$(calc 'printf "%.4f", a' "$R_SIZE")" "$M_SIZE"
    printf '  %-44s %7sx  (target >= 3.0x)  %s\n' "ours-bsdiff encode speedup vs bsdiff" "$(calc 'printf "%.2f", a' "$R_SPEED")" "$M_SPEED"
    printf '  %-44s %8s  (target <= 1.00)  %s\n' "ours-bsdiff peak RSS / bsdiff peak RSS" "$(calc 'printf "%.3f", a' "$R_RSS")" "$M_RSS"
    printf '  %-44s %8s  (target >= 300)   %s\n' "ours-auto apply MB/s" "$ambs" "$M_APPLY"
}
count_misses() {
    local m
    for m in "$@"; do [[ $m == MISS ]] && MISSES=$((MISSES + 1)); done
    return 0
}

header() {
    print_row tool "patch bytes" "% new" "enc s" "enc cpu" "enc MiB" "apply s" "apply MB/s" "apply MiB"
    print_row ------------ ----------- ------ -------- -------- -------- -------- ---------- ---------
}

LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
if calc 'exit !(a > 0.5)' "$LOAD_START"; then
    note "warning: load average is $LOAD_START at start; timings may be noisy"
fi
if ((HAVE_OURS)); then note "ota-delta: $OTA_DELTA"; else note "ota-delta: skipped (BENCH_PEERS_ONLY=1)"; fi
note "corpus: $CORPUS ($PKG ${VERSIONS[*]}), repeat=$REPEAT apply_reps=$APPLY_REPS"

for ((p = 0; p + 1 < ${#VERSIONS[@]}; p++)); do
    v_old=${VERSIONS[p]} v_new=${VERSIONS[p + 1]}
    old=$CORPUS/esbuild-$v_old new=$CORPUS/esbuild-$v_new
    new_size=$(stat -c %s -- "$new")
    old_size=$(stat -c %s -- "$old")
    auto_algo=null
    for t in "${TOOLS[@]}"; do
        patch=$TMP/$t.patch out=$TMP/$t.out
        note "pair $v_old -> $v_new: $t"
        encode "$t" "$old" "$new" "$patch"
        ENC_S[$t]=$T_S ENC_RSS[$t]=$T_RSS ENC_CPU[$t]=$T_CPU
        P_BYTES[$t]=$(stat -c %s -- "$patch")
        if [[ $t == ours-* ]]; then
            js=$TMP/create-${t#ours-}.json
            if ! jq -e 'type == "object"' "$js" >/dev/null 2>&1; then
                note "warning: ota-delta create --algo ${t#ours-} --json did not print a JSON object"
            else
                jsize=$(jfield "$js" patch_size)
                [[ -z $jsize || $jsize == "${P_BYTES[$t]}" ]] ||
                    note "warning: $t reports patch_size $jsize but the file has ${P_BYTES[$t]} bytes"
                if [[ $t == ours-auto ]]; then
                    a=$(jfield "$js" algorithm)
                    [[ -n $a ]] && auto_algo=$a
                fi
            fi
        fi
        # one apply, timed for peak RSS, checked byte for byte
        decode_cmd "$t" "$old" "$patch" "$out"
        rm -f -- "$out"
        timed "$t apply" "$TMP/apply.json" "${DEC[@]}"
        DEC_RSS[$t]=$T_RSS
        [[ -f $out ]] || die "$t apply wrote no output file"
        same "$out" "$new" "$t" "$v_new"
        if [[ $t == ours-* ]] && ! jq -e 'type == "object"' "$TMP/apply.json" >/dev/null 2>&1; then
            note "warning: ota-delta apply --json did not print a JSON object"
        fi
        # throughput: APPLY_REPS applies, wall clock, then check again
        rate "$t apply" "${DEC[@]}"
        same "$out" "$new" "$t" "$v_new"
        APP_S[$t]=$R_S
        APP_MBS[$t]=$(calc 'printf "%.1f", a / 1e6 / b' "$new_size" "$R_S")
        rm -f -- "$patch" "$out"

        TOT_BYTES[$t]=$((TOT_BYTES[$t] + P_BYTES[$t]))
        TOT_ENC[$t]=$(calc 'printf "%.2f", a + b' "${TOT_ENC[$t]}" "${ENC_S[$t]}")
        TOT_CPU[$t]=$(calc 'printf "%.2f", a + b' "${TOT_CPU[$t]}" "${ENC_CPU[$t]}")
        TOT_APP_S[$t]=$(calc 'printf "%.6f", a + b' "${TOT_APP_S[$t]}" "${APP_S[$t]}")
        if ((ENC_RSS[$t] > TOT_ENC_RSS[$t])); then TOT_ENC_RSS[$t]=${ENC_RSS[$t]}; fi
        if ((DEC_RSS[$t] > TOT_DEC_RSS[$t])); then TOT_DEC_RSS[$t]=${DEC_RSS[$t]}; fi
    done
    TOT_NEW=$((TOT_NEW + new_size))

    # smallest peer patch
    min_peer='' min_bytes=0
    for t in "${PEERS[@]}"; do
        if [[ -z $min_peer ]] || ((P_BYTES[$t] < min_bytes)); then min_peer=$t min_bytes=${P_BYTES[$t]}; fi
    done

    printf '\n== %s %s -> %s  (old %s bytes, new %s bytes)\n' "$PKG" "$v_old" "$v_new" "$old_size" "$new_size"
    header
    for t in "${TOOLS[@]}"; do
        print_row "$t" "${P_BYTES[$t]}" "$(calc 'printf "%.2f", 100 * a / b' "${P_BYTES[$t]}" "$new_size")" \
            "${ENC_S[$t]}" "${ENC_CPU[$t]}" "$(mib "${ENC_RSS[$t]}")" "$(calc 'printf "%.4f", a' "${APP_S[$t]}")" "${APP_MBS[$t]}" "$(mib "${DEC_RSS[$t]}")"
    done
    if ((HAVE_OURS)); then printf '  ours-auto chose: %s\n' "$auto_algo"; fi
    evaluate "pair" "${P_BYTES[ours-auto]:-0}" "$min_bytes" "$min_peer" "${ENC_S[bsdiff]}" \
        "${ENC_S[ours-bsdiff]:-0}" "${ENC_RSS[bsdiff]}" "${ENC_RSS[ours-bsdiff]:-0}" "${APP_MBS[ours-auto]:-0}"
    count_misses "$M_SIZE" "$M_SPEED" "$M_RSS" "$M_APPLY"

    # per-pair JSON record
    tools_json=$(
        for t in "${TOOLS[@]}"; do
            jq -cn --arg t "$t" \
                --argjson pb "${P_BYTES[$t]}" --argjson es "${ENC_S[$t]}" --argjson ec "${ENC_CPU[$t]}" \
                --argjson er "${ENC_RSS[$t]}" --argjson dr "${DEC_RSS[$t]}" \
                --argjson aps "${APP_S[$t]}" --argjson am "${APP_MBS[$t]}" \
                '{($t): {patch_bytes: $pb, encode_s: $es, encode_cpu_s: $ec, encode_rss_kib: $er,
                         apply_rss_kib: $dr, apply_s: $aps, apply_mb_s: $am}}'
        done | jq -cs 'add'
    )
    jq -cn --arg from "$v_old" --arg to "$v_new" --argjson os "$old_size" --argjson ns "$new_size" \
        --argjson tools "$tools_json" --arg auto "$auto_algo" \
        --arg mp "$min_peer" --argjson mb "$min_bytes" \
        --argjson rs "$R_SIZE" --argjson rp "$R_SPEED" --argjson rr "$R_RSS" \
        --arg ms "$M_SIZE" --arg mp2 "$M_SPEED" --arg mr "$M_RSS" --arg ma "$M_APPLY" \
        '{from: $from, to: $to, old_size: $os, new_size: $ns,
          ours_auto_algorithm: (if $auto == "null" then null else $auto end),
          smallest_peer: {tool: $mp, patch_bytes: $mb},
          tools: $tools,
          ratios: {auto_size_vs_smallest_peer: $rs, bsdiff_encode_speedup: $rp, bsdiff_rss_ratio: $rr,
                   auto_apply_mb_s: ($tools["ours-auto"].apply_mb_s // null)},
          targets: {auto_size: $ms, bsdiff_speedup: $mp2, bsdiff_rss: $mr, auto_apply: $ma}}' >>"$PAIRS_JSON"
done

# --- totals ------------------------------------------------------------------
for t in "${TOOLS[@]}"; do
    APP_MBS[$t]=$(calc 'printf "%.1f", a / 1e6 / b' "$TOT_NEW" "${TOT_APP_S[$t]}")
done
min_peer='' min_bytes=0
for t in "${PEERS[@]}"; do
    if [[ -z $min_peer ]] || ((TOT_BYTES[$t] < min_bytes)); then min_peer=$t min_bytes=${TOT_BYTES[$t]}; fi
done
npairs=$((${#VERSIONS[@]} - 1))
printf '\n== totals over %d pairs (new bytes %s; MiB = max peak RSS; apply MB/s = total bytes / total time)\n' \
    "$npairs" "$TOT_NEW"
header
for t in "${TOOLS[@]}"; do
    print_row "$t" "${TOT_BYTES[$t]}" "$(calc 'printf "%.2f", 100 * a / b' "${TOT_BYTES[$t]}" "$TOT_NEW")" \
        "${TOT_ENC[$t]}" "${TOT_CPU[$t]}" "$(mib "${TOT_ENC_RSS[$t]}")" "$(calc 'printf "%.4f", a' "${TOT_APP_S[$t]}")" "${APP_MBS[$t]}" "$(mib "${TOT_DEC_RSS[$t]}")"
done
evaluate "totals" "${TOT_BYTES[ours-auto]:-0}" "$min_bytes" "$min_peer" "${TOT_ENC[bsdiff]}" \
    "${TOT_ENC[ours-bsdiff]:-0}" "${TOT_ENC_RSS[bsdiff]}" "${TOT_ENC_RSS[ours-bsdiff]:-0}" "${APP_MBS[ours-auto]:-0}"
count_misses "$M_SIZE" "$M_SPEED" "$M_RSS" "$M_APPLY"

totals_json=$(
    for t in "${TOOLS[@]}"; do
        jq -cn --arg t "$t" --argjson pb "${TOT_BYTES[$t]}" --argjson es "${TOT_ENC[$t]}" --argjson ec "${TOT_CPU[$t]}" \
            --argjson er "${TOT_ENC_RSS[$t]}" --argjson dr "${TOT_DEC_RSS[$t]}" \
            --argjson aps "${TOT_APP_S[$t]}" --argjson am "${APP_MBS[$t]}" \
            '{($t): {patch_bytes: $pb, encode_s: $es, encode_cpu_s: $ec, max_encode_rss_kib: $er, max_apply_rss_kib: $dr,
                     apply_s: $aps, apply_mb_s: $am}}'
    done | jq -cs 'add'
)
tool_versions=$(jq -cn --arg zstd "$(zstd -V 2>/dev/null | grep -o 'v[0-9][0-9.]*' | head -n1 || true)" \
    --arg xdelta3 "$(xdelta3 -V 2>&1 | grep -o 'version [0-9][0-9.]*' | head -n1 | cut -d' ' -f2 || true)" \
    --arg bsdiff "$(dpkg-query -W -f='${Version}' bsdiff 2>/dev/null || echo unknown)" \
    '{bsdiff: $bsdiff, xdelta3: $xdelta3, zstd: $zstd}')
OTA_USED=''
if ((HAVE_OURS)); then OTA_USED=$OTA_DELTA; fi
mkdir -p -- "$(dirname -- "$JSON_OUT")"
jq -s --arg pkg "$PKG" --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg host "$(uname -srm)" \
    --argjson cores "$(nproc)" --argjson load0 "$LOAD_START" --argjson load1 "$(cut -d' ' -f1 /proc/loadavg)" --argjson repeat "$REPEAT" --argjson reps "$APPLY_REPS" \
    --arg ota "$OTA_USED" --arg bt "$BUILD_TYPE" --argjson tv "$tool_versions" \
    --argjson totals "$totals_json" --arg mp "$min_peer" --argjson mb "$min_bytes" --argjson tn "$TOT_NEW" \
    --argjson rs "$R_SIZE" --argjson rp "$R_SPEED" --argjson rr "$R_RSS" \
    --arg ms "$M_SIZE" --arg mp2 "$M_SPEED" --arg mr "$M_RSS" --arg ma "$M_APPLY" \
    --argjson strict "$([[ $STRICT == 1 ]] && echo true || echo false)" --argjson misses "$MISSES" \
    '{benchmark: "delta", corpus: $pkg, date: $date, host: $host, cores: $cores,
      load_average: {start: $load0, end: $load1},
      encode_repeat: $repeat, apply_reps: $reps,
      ota_delta: (if $ota == "" then null else $ota end),
      build_type: (if $bt == "" then null else $bt end), peer_versions: $tv,
      targets: {auto_size_vs_smallest_peer: "<= 0.85", bsdiff_encode_speedup: ">= 3.0",
                bsdiff_rss_ratio: "<= 1.00", auto_apply_mb_s: ">= 300"},
      pairs: .,
      totals: {new_bytes: $tn, smallest_peer: {tool: $mp, patch_bytes: $mb}, tools: $totals,
               ratios: {auto_size_vs_smallest_peer: $rs, bsdiff_encode_speedup: $rp, bsdiff_rss_ratio: $rr,
                        auto_apply_mb_s: ($totals["ours-auto"].apply_mb_s // null)},
               targets: {auto_size: $ms, bsdiff_speedup: $mp2, bsdiff_rss: $mr, auto_apply: $ma}},
      misses: $misses, strict: $strict}' "$PAIRS_JSON" >"$JSON_OUT.tmp"
mv -f -- "$JSON_OUT.tmp" "$JSON_OUT"

printf '\nresults: %s; targets missed: %d\n' "$JSON_OUT" "$MISSES"
if [[ $STRICT == 1 && $MISSES -gt 0 ]]; then
    die "$MISSES target(s) missed (BENCH_STRICT=1)"
fi
exit 0
