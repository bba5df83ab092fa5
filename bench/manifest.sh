#!/usr/bin/env bash
# bench/manifest.sh - repository benchmark: a TUF repository of N small targets is
# built and signed (repository::add_targets + publish, file keys) and compared with
# just reading and hashing the same files, measured in the same run; then a fresh
# client verifies it (Updater start + refresh, find_target + download_target of every
# target), to see whether verification time grows linearly with N.
#
# Not a timed test: every ratio it prints compares numbers measured in the same run
# on the same machine. See bench/README.md.
#
# Usage: bench/manifest.sh [--json]
#   --json   also print one JSON document with every number on stdout
# The human tables and progress messages go to stderr.
#
# Environment (all optional):
#   OTA_BENCH_MANIFEST   default build/release/bench/ota-bench-manifest; when unset the
#                        script first brings it up to date (cmake --build, or ci/build.sh
#                        release when build/release is not configured)
#   BENCH_NO_BUILD=1     do not build; use the binary as it is
#   BENCH_TARGETS        "1000 10000" (space or comma separated, ascending)
#   BENCH_ALGO           ecdsa-p256 (ed25519, ecdsa-p256, rsa-pss-3072)
#   BENCH_MIN_BYTES      1024  smallest target
#   BENCH_MAX_BYTES      4096  largest target
#   BENCH_HASH_REPS      6     baseline passes (half before the build, half after); the fastest counts
#   BENCH_VERIFY_BUDGET  6     seconds of find+download per N; beyond it the rest is extrapolated (0: all)
#   BENCH_DIR            where the repositories are built (default ${TMPDIR:-/tmp}); its
#                        file system is part of what is measured (fsync per target)
#   BENCH_SRC_DIR        where the input files are written once (default /dev/shm when it
#                        is a writable tmpfs, else BENCH_DIR): removing files is slow on disk
#   BENCH_RATIO_MAX      2.0   target: build+sign / hash at the largest N
#   BENCH_LINEAR_MAX     1.5   target: verify us/target at the largest N / at the smallest N
#   BENCH_STRICT=1       a missed target makes the exit status 1
#   BENCH_EXPLAIN=1      also time the staged copy alone (io::write_new of every file)
#   BENCH_COLD=1         (root) drop the page cache before every timed pass, the build and each
#                        peer run; the inputs then live under BENCH_DIR (a disk), not /dev/shm
#
# Exit status: 0 all ran and every target verified (targets missed are reported, not
# failed, unless BENCH_STRICT=1); 1 a step failed, or a target was missed with
# BENCH_STRICT=1; 2 the benchmark program is not built and could not be built; 64 usage.
set -euo pipefail

PROG=manifest.sh
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

JSON=0
for arg in "$@"; do
    case $arg in
    --json) JSON=1 ;;
    -h | --help)
        sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
        exit 0
        ;;
    *) printf '%s: unknown argument %s (usage: bench/manifest.sh [--json])\n' "$PROG" "$arg" >&2; exit 64 ;;
    esac
done

BIN_SET=${OTA_BENCH_MANIFEST:+1}
BIN=${OTA_BENCH_MANIFEST:-build/release/bench/ota-bench-manifest}
NO_BUILD=${BENCH_NO_BUILD:-0}
TARGETS_S=${BENCH_TARGETS:-1000 10000}
read -r -a COUNTS <<<"${TARGETS_S//,/ }"
ALGO=${BENCH_ALGO:-ecdsa-p256}
MIN_BYTES=${BENCH_MIN_BYTES:-1024}
MAX_BYTES=${BENCH_MAX_BYTES:-4096}
HASH_REPS=${BENCH_HASH_REPS:-6}
VERIFY_BUDGET=${BENCH_VERIFY_BUDGET:-6}
DIR=${BENCH_DIR:-${TMPDIR:-/tmp}}
SRC_DIR=${BENCH_SRC_DIR:-}
RATIO_MAX=${BENCH_RATIO_MAX:-2.0}
LINEAR_MAX=${BENCH_LINEAR_MAX:-1.5}
STRICT=${BENCH_STRICT:-0}
EXPLAIN=${BENCH_EXPLAIN:-0}
COLD=${BENCH_COLD:-0}

is_number() { [[ $1 =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]]; }
((${#COUNTS[@]})) || die "BENCH_TARGETS is empty"
prev=0
for n in "${COUNTS[@]}"; do
    if ! [[ $n =~ ^[1-9][0-9]*$ ]] || ((n > 1000000)); then die "BENCH_TARGETS: '$n' is not a count of 1..1000000"; fi
    ((n > prev)) || die "BENCH_TARGETS must be ascending without repeats, got '$TARGETS_S'"
    prev=$n
done
case $ALGO in ed25519 | ecdsa-p256 | rsa-pss-3072) ;; *) die "BENCH_ALGO: unknown algorithm '$ALGO'" ;; esac
[[ $MIN_BYTES =~ ^[1-9][0-9]*$ ]] || die "BENCH_MIN_BYTES must be a positive integer, got '$MIN_BYTES'"
[[ $MAX_BYTES =~ ^[1-9][0-9]*$ ]] || die "BENCH_MAX_BYTES must be a positive integer, got '$MAX_BYTES'"
((MIN_BYTES <= MAX_BYTES)) || die "BENCH_MIN_BYTES ($MIN_BYTES) is larger than BENCH_MAX_BYTES ($MAX_BYTES)"
if ! [[ $HASH_REPS =~ ^[1-9][0-9]*$ ]] || ((HASH_REPS > 100)); then die "BENCH_HASH_REPS must be 1..100, got '$HASH_REPS'"; fi
is_number "$VERIFY_BUDGET" || die "BENCH_VERIFY_BUDGET must be a number of seconds (0: no limit), got '$VERIFY_BUDGET'"
is_number "$RATIO_MAX" || die "BENCH_RATIO_MAX must be a number, got '$RATIO_MAX'"
is_number "$LINEAR_MAX" || die "BENCH_LINEAR_MAX must be a number, got '$LINEAR_MAX'"
[[ -d $DIR && -w $DIR ]] || die "BENCH_DIR '$DIR' is not a writable directory"
if [[ $COLD == 1 ]]; then
    [[ $(id -u) == 0 ]] || die "BENCH_COLD=1 drops the page cache, which needs root"
    command -v xargs sha256sum cp sync >/dev/null || die "BENCH_COLD=1: coreutils/findutils missing"
fi
if [[ -z $SRC_DIR ]]; then
    SRC_DIR=$DIR
    if [[ $COLD != 1 &&  -d /dev/shm && -w /dev/shm && $(stat -f -c %T /dev/shm 2>/dev/null || true) == tmpfs ]]; then SRC_DIR=/dev/shm; fi
fi
[[ -d $SRC_DIR && -w $SRC_DIR ]] || die "BENCH_SRC_DIR '$SRC_DIR' is not a writable directory"
command -v jq >/dev/null 2>&1 || die "jq not found (ci/deps.sh bench, or: apt-get install jq)"

# --- the program under test -------------------------------------------------------
if [[ -z $BIN_SET && $NO_BUILD != 1 ]]; then
    if [[ -f build/release/build.ninja ]]; then
        note "bringing ota-bench-manifest up to date (cmake --build build/release --target ota-bench-manifest)"
        if ! cmake --build build/release --target ota-bench-manifest >"${TMPDIR:-/tmp}/ota-bench-manifest-build.$$.log" 2>&1; then
            tail -n 20 "${TMPDIR:-/tmp}/ota-bench-manifest-build.$$.log" >&2 || true
            rm -f -- "${TMPDIR:-/tmp}/ota-bench-manifest-build.$$.log"
            printf '%s: building ota-bench-manifest failed\n' "$PROG" >&2
            exit 2
        fi
        rm -f -- "${TMPDIR:-/tmp}/ota-bench-manifest-build.$$.log"
    elif [[ ! -x $BIN ]]; then
        note "build/release is not configured; running ci/build.sh release"
        ci/build.sh release >&2 || { printf '%s: ci/build.sh release failed\n' "$PROG" >&2; exit 2; }
    fi
fi
if [[ ! -f $BIN || ! -x $BIN ]]; then
    printf '%s: %s not found; build first: ci/build.sh release (ota-bench-manifest is bench/CMakeLists.txt), or set OTA_BENCH_MANIFEST\n' \
        "$PROG" "$BIN" >&2
    exit 2
fi
BIN=$(cd -- "$(dirname -- "$BIN")" && pwd)/$(basename -- "$BIN")
BUILD_TYPE=''
if [[ $BIN == "$ROOT/build/release/"* && -f $ROOT/build/release/CMakeCache.txt ]]; then
    BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$ROOT/build/release/CMakeCache.txt" | head -n1)
    case $BUILD_TYPE in
    Release | RelWithDebInfo) ;;
    *) note "warning: build/release is configured as '${BUILD_TYPE:-<none>}', not Release; timings will not be representative" ;;
    esac
fi

# --- scratch space -------------------------------------------------------------------
TMP=$(mktemp -d "$DIR/ota-bench-manifest.XXXXXX")
SRC_TMP=''
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() { rm -rf -- "$TMP" ${SRC_TMP:+"$SRC_TMP"}; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
SRC_TMP=$TMP
[[ $SRC_DIR == "$DIR" ]] || SRC_TMP=$(mktemp -d "$SRC_DIR/ota-bench-manifest-src.XXXXXX")
FS_TYPE=$(stat -f -c %T "$TMP" 2>/dev/null || echo unknown)
SRC_FS_TYPE=$(stat -f -c %T "$SRC_TMP" 2>/dev/null || echo unknown)

LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$LOAD_START" 'BEGIN { exit !(l > 0.5) }'; then
    note "warning: load average is $LOAD_START at start; timings may be noisy"
fi
note "program: $BIN"
note "repositories under $TMP ($FS_TYPE), inputs under $SRC_TMP ($SRC_FS_TYPE)"
note "N = ${COUNTS[*]}; $ALGO file keys; targets of $MIN_BYTES..$MAX_BYTES bytes"

# --- run -------------------------------------------------------------------------------
RESULTS=$TMP/results.jsonl
args=(--dir "$TMP" --src-dir "$SRC_TMP" --algo "$ALGO" --min-bytes "$MIN_BYTES" --max-bytes "$MAX_BYTES" --hash-reps "$HASH_REPS"
    --verify-budget "$VERIFY_BUDGET")
for n in "${COUNTS[@]}"; do args+=(--targets "$n"); done
[[ $EXPLAIN == 1 ]] && args+=(--explain)
[[ $COLD == 1 ]] && args+=(--cold)
T0=${EPOCHREALTIME/[.,]/}
rc=0
# The program's progress and errors go straight to stderr.
"$BIN" "${args[@]}" >"$RESULTS" || rc=$?
((rc == 0)) || die "ota-bench-manifest failed (exit $rc); see its message above"
T1=${EPOCHREALTIME/[.,]/}
WALL=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')

# Every N printed one complete line, and every number in it is sane.
for n in "${COUNTS[@]}"; do
    # -s: jq 1.6's -e looks only at the last input's output
    jq -e -s --argjson n "$n" 'map(select(.targets == $n)) | length == 1 and (.[0] |
        .hash_seconds > 0 and .build_sign_seconds > 0 and .refresh_seconds >= 0 and
        .verified_targets >= 1 and .verified_targets <= $n and .verify_us_per_target > 0)' "$RESULTS" >/dev/null ||
        die "ota-bench-manifest printed no complete measurement for N=$n"
done
[[ $(jq -s 'length' "$RESULTS") == "${#COUNTS[@]}" ]] || die "ota-bench-manifest printed an unexpected number of lines"

# --- report ----------------------------------------------------------------------------
field() { jq -r --argjson n "$1" --arg f "$2" 'select(.targets == $n) | .[$f]' "$RESULTS"; }
calc() { awk -v a="${2:-0}" -v b="${3:-0}" "BEGIN { $1 }"; }
SMALL=${COUNTS[0]}
LARGE=${COUNTS[${#COUNTS[@]} - 1]}

{
    printf '\n== build + sign against hashing alone (%s file keys, threshold 1; targets of %s..%s bytes;\n' \
        "$ALGO" "$MIN_BYTES" "$MAX_BYTES"
    printf '   repositories on %s, inputs on %s)\n' "$FS_TYPE" "$SRC_FS_TYPE"
    printf '   hash s = read (io::PosixStorage::open_input) + crypto::sha256 of every file, fastest of %s passes;\n' "$HASH_REPS"
    printf '   build+sign s = repository::add_targets (one batch) + repository::publish; ratio = build+sign / hash\n'
    printf '   (wall clock; cpu ratio: the same in CPU seconds, which leave out fsync waits and a busy neighbour;\n'
    printf '    plain s: reference only, the same files read into a reused heap buffer + crypto::sha256)\n'
    printf '  %8s %6s %8s %8s %8s %10s %12s %7s %9s %10s %7s\n' targets "MiB" "hash s" "plain s" "add s" "publish s" \
        "build+sign s" ratio "cpu ratio" "vs plain" "<= ${RATIO_MAX}"
    printf '  %8s %6s %8s %8s %8s %10s %12s %7s %9s %10s %7s\n' -------- ------ -------- -------- -------- ---------- \
        ------------ ------- --------- ---------- -------
} >&2
for n in "${COUNTS[@]}"; do
    IFS=$'\t' read -r mib h ph a p b r cr pr < <(jq -r --argjson n "$n" 'select(.targets == $n) |
        [(.total_bytes / 1048576), .hash_seconds, .plain_hash_seconds, .add_seconds, .publish_seconds,
         .build_sign_seconds, .ratio, .cpu_ratio, .plain_ratio] | @tsv' "$RESULTS")
    verdict=$(calc 'print (a <= b) ? "PASS" : "FAIL"' "$r" "$RATIO_MAX")
    printf '  %8s %6.1f %8.3f %8.3f %8.3f %10.3f %12.3f %7.2f %9.2f %10.1f %7s\n' "$n" "$mib" "$h" "$ph" "$a" "$p" "$b" \
        "$r" "$cr" "$pr" "$verdict" >&2
done
{
    printf '\n== against the peer tools in the same run (fastest of 3 each): GNU sha256sum of the files, and GNU cp\n'
    printf '   of them into a new directory + sync -f; peer ratio = build+sign / (sha256sum + cp)%s\n' \
        "$([[ $COLD == 1 ]] && echo '; page cache dropped before each')"
    printf '  %8s %12s %8s %12s %10s\n' targets "sha256sum s" "cp s" "build+sign s" "peer ratio"
    printf '  %8s %12s %8s %12s %10s\n' -------- ------------ -------- ------------ ----------
} >&2
for n in "${COUNTS[@]}"; do
    IFS=$'\t' read -r ps pc b pr < <(jq -r --argjson n "$n" 'select(.targets == $n) |
        [.peer_sha256sum_seconds, .peer_cp_seconds, .build_sign_seconds, .peer_ratio] | @tsv' "$RESULTS")
    printf '  %8s %12.3f %8.3f %12.3f %10.2f\n' "$n" "$ps" "$pc" "$b" "$pr" >&2
done
while IFS= read -r w; do
    [[ -n $w ]] && printf '  publish warning: %s\n' "$w" >&2
done < <(jq -r '.targets as $n | (.publish_warnings // [])[] | "N=\($n): \(.)"' "$RESULTS")
{
    printf '\n== verification: a fresh client::Updater, no state directory\n'
    printf '   refresh = start + refresh (root, timestamp, snapshot, targets.json); then find_target +\n'
    printf '   download_target of every target (shuffled); verify s = refresh + all targets;\n'
    printf '   * = %s s budget spent, the rest extrapolated from the mean per target\n' "$VERIFY_BUDGET"
    printf '  %8s %11s %10s %10s %10s %11s %11s %12s\n' targets "refresh s" "find us" "fetch us" "verify s" "us/target" "verified" "targets.json"
    printf '  %8s %11s %10s %10s %10s %11s %11s %12s\n' -------- ----------- ---------- ---------- ---------- ----------- ----------- ------------
} >&2
for n in "${COUNTS[@]}"; do
    IFS=$'\t' read -r rs f d vs us cnt x kib < <(jq -r --argjson n "$n" 'select(.targets == $n) |
        [.refresh_seconds, .find_us_per_target, .download_us_per_target, .verify_seconds, .verify_us_per_target,
         .verified_targets, .verify_extrapolated, (.targets_json_bytes / 1024)] | @tsv' "$RESULTS")
    star=' '
    [[ $x == true ]] && star='*'
    printf '  %8s %11.3f %10.1f %10.1f %10.2f%s %11.1f %11s %9.0f KiB\n' "$n" "$rs" "$f" "$d" "$vs" "$star" "$us" "$cnt" "$kib" >&2
done
if [[ $EXPLAIN == 1 ]]; then
    {
        printf '\n== explain: the staged copy alone (open_input + io::write_new per file, no syncs: temp\n'
        printf '   file, write, rename; then one syncfs), against add_targets\n'
        printf '  %8s %10s %10s %12s\n' targets "copy s" "add s" "copy / add"
        printf '  %8s %10s %10s %12s\n' -------- ---------- ---------- ------------
    } >&2
    for n in "${COUNTS[@]}"; do
        c=$(field "$n" copy_seconds) a=$(field "$n" add_seconds)
        printf '  %8s %10.3f %10.3f %12.2f\n' "$n" "$c" "$a" "$(calc 'printf "%.4f", a / b' "$c" "$a")" >&2
    done
fi

RATIO=$(field "$LARGE" ratio)
RATIO_PASS=$(calc 'print (a <= b) ? "true" : "false"' "$RATIO" "$RATIO_MAX")
US_SMALL=$(field "$SMALL" verify_us_per_target)
US_LARGE=$(field "$LARGE" verify_us_per_target)
LINEAR=$(calc 'printf "%.3f", a / b' "$US_LARGE" "$US_SMALL")
CPU_RATIO=$(field "$LARGE" cpu_ratio)
LINEAR_CPU=$(calc 'printf "%.3f", a / b' "$(field "$LARGE" verify_cpu_us_per_target)" "$(field "$SMALL" verify_cpu_us_per_target)")
LINEAR_PASS=false
((${#COUNTS[@]} >= 2)) && LINEAR_PASS=$(calc 'print (a <= b) ? "true" : "false"' "$LINEAR" "$LINEAR_MAX")
verdict() { [[ $1 == true ]] && echo PASS || echo FAIL; }
LOAD_END=$(cut -d' ' -f1 /proc/loadavg)
{
    printf '\n  build+sign / hash at N=%s: %.2f (target <= %s): %s   [cpu: %.2f]\n' "$LARGE" "$RATIO" "$RATIO_MAX" \
        "$(verdict "$RATIO_PASS")" "$CPU_RATIO"
    if ((${#COUNTS[@]} >= 2)); then
        printf '  verify us/target at N=%s / at N=%s: %.2f (linear = 1; target <= %s): %s   [cpu: %.2f]\n' "$LARGE" "$SMALL" \
            "$LINEAR" "$LINEAR_MAX" "$(verdict "$LINEAR_PASS")" "$LINEAR_CPU"
    else
        printf '  linearity: needs at least two values in BENCH_TARGETS\n'
    fi
    printf '\nload average: %s at start, %s at end; %s s in all; every verified target matched its source file\n' \
        "$LOAD_START" "$LOAD_END" "$WALL"
} >&2

if ((JSON)); then
    jq -n --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg host "$(uname -srm)" --argjson cores "$(nproc)" \
        --argjson load0 "$LOAD_START" --argjson load1 "$LOAD_END" --arg bt "$BUILD_TYPE" --arg bin "$BIN" \
        --arg fs "$FS_TYPE" --arg sfs "$SRC_FS_TYPE" --arg algo "$ALGO" --argjson minb "$MIN_BYTES" --argjson maxb "$MAX_BYTES" \
        --argjson reps "$HASH_REPS" --argjson budget "$VERIFY_BUDGET" --argjson wall "$WALL" \
        --argjson large "$LARGE" --argjson small "$SMALL" --argjson ratio "$RATIO" --argjson rmax "$RATIO_MAX" \
        --argjson cratio "$CPU_RATIO" --argjson clin "$LINEAR_CPU" \
        --argjson rpass "$RATIO_PASS" --argjson lin "$LINEAR" --argjson lmax "$LINEAR_MAX" --argjson lpass "$LINEAR_PASS" \
        --argjson cold "$COLD" --slurpfile results "$RESULTS" \
        '{benchmark: "manifest", date: $date, host: $host, cores: $cores,
          load_average: {start: $load0, end: $load1}, build_type: (if $bt == "" then null else $bt end),
          ota_bench_manifest: $bin, file_system: $fs, input_file_system: $sfs, wall_seconds: $wall,
          cold_cache: ($cold == 1),
          settings: {algorithm: $algo, min_bytes: $minb, max_bytes: $maxb, hash_reps: $reps,
                     verify_budget_seconds: $budget, key_backend: "file", thresholds: 1},
          results: $results,
          targets: {ratio: {targets: $large, value: $ratio, cpu_value: $cratio, max: $rmax, pass: $rpass},
                    linearity: {largest: $large, smallest: $small, value: $lin, cpu_value: $clin, max: $lmax,
                                pass: $lpass}}}'
fi
if [[ $STRICT == 1 && ($RATIO_PASS != true || $LINEAR_PASS != true) ]]; then
    note "a target was missed and BENCH_STRICT=1"
    exit 1
fi
exit 0
