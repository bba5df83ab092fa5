#!/usr/bin/env bash
# bench/sign.sh - signing benchmark: signatures per second per algorithm, SoftHSM2
# keys versus file keys, and the one-shot cost of ota-sign against pkcs11-tool and
# openssl, all in one run.
#
# Not a timed test: every ratio it prints compares numbers measured in the same
# run on the same machine. See bench/README.md.
#
# Usage: bench/sign.sh [--json]
#   --json   also print one JSON document with every number on stdout
# The human tables and progress messages go to stderr.
#
# Environment (all optional):
#   OTA_SIGN            default build/release/tools/ota-sign/ota-sign
#   OTA_KEYS            default build/release/tools/ota-keys/ota-keys
#   OTA_BENCH_SIGN      default build/release/bench/ota-bench-sign
#   BENCH_ALGOS         "ed25519 ecdsa-p256 rsa-pss-3072" (space or comma separated)
#   BENCH_SECONDS       seconds per in-process measurement (default 1)
#   BENCH_MIN_SIGS      at least this many signatures per measurement (default 20)
#   BENCH_CLI_REPS      runs of each one-shot command per round (default 20)
#   BENCH_CLI_ROUNDS    rounds, commands interleaved; the best round counts (default 3)
#   BENCH_MODULE        SoftHSM2 module (default: p11-kit's softhsm2.module entry)
#   BENCH_NO_INSTALL=1  do not run ci/deps.sh bench when a package is missing
#
# Exit status: 0 all ran and every signature verified; 1 a command or a check
# failed, or a package is missing; 2 a binary under test is not built; 64 usage.
set -euo pipefail

PROG=sign.sh
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
    *) printf '%s: unknown argument %s (usage: bench/sign.sh [--json])\n' "$PROG" "$arg" >&2; exit 64 ;;
    esac
done

OTA_SIGN=${OTA_SIGN:-build/release/tools/ota-sign/ota-sign}
OTA_KEYS=${OTA_KEYS:-build/release/tools/ota-keys/ota-keys}
OTA_BENCH_SIGN=${OTA_BENCH_SIGN:-build/release/bench/ota-bench-sign}
ALGOS_S=${BENCH_ALGOS:-ed25519 ecdsa-p256 rsa-pss-3072}
read -r -a ALGOS <<<"${ALGOS_S//,/ }"
SECONDS_PER=${BENCH_SECONDS:-1}
MIN_SIGS=${BENCH_MIN_SIGS:-20}
CLI_REPS=${BENCH_CLI_REPS:-20}
CLI_ROUNDS=${BENCH_CLI_ROUNDS:-3}
NO_INSTALL=${BENCH_NO_INSTALL:-0}
CLI_BYTES=1024              # pkcs11-tool cannot EdDSA-sign more than 1 KiB (see README)
RATE_BYTES=(1024 1048576)

if ! [[ $SECONDS_PER =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] || ! awk -v s="$SECONDS_PER" 'BEGIN { exit !(s > 0) }'; then
    die "BENCH_SECONDS must be a positive number, got '$SECONDS_PER'"
fi
[[ $MIN_SIGS =~ ^[1-9][0-9]*$ ]] || die "BENCH_MIN_SIGS must be a positive integer, got '$MIN_SIGS'"
[[ $CLI_REPS =~ ^[1-9][0-9]*$ ]] || die "BENCH_CLI_REPS must be a positive integer, got '$CLI_REPS'"
[[ $CLI_ROUNDS =~ ^[1-9][0-9]*$ ]] || die "BENCH_CLI_ROUNDS must be a positive integer, got '$CLI_ROUNDS'"
((${#ALGOS[@]})) || die "BENCH_ALGOS is empty"
for a in "${ALGOS[@]}"; do
    case $a in ed25519 | ecdsa-p256 | rsa-pss-3072) ;; *) die "unknown algorithm '$a' in BENCH_ALGOS" ;; esac
done

# --- packages ------------------------------------------------------------------
# softhsm2 (softhsm2-util + the module), opensc (pkcs11-tool), openssl, jq.
missing_packages() {
    local p status absent=()
    for p in softhsm2 opensc openssl jq; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        [[ $status == "install ok installed" ]] || absent+=("$p")
    done
    echo "${absent[*]}"
}
missing=$(missing_packages)
if [[ -n $missing && $NO_INSTALL != 1 ]]; then
    note "missing packages: $missing; running ci/deps.sh bench"
    ci/deps.sh bench || die "ci/deps.sh bench failed"
    missing=$(missing_packages)
fi
[[ -z $missing ]] ||
    die "missing packages: $missing (the bench set of ci/deps.sh must list them, or: apt-get install $missing)"
for c in softhsm2-util pkcs11-tool openssl jq; do
    command -v "$c" >/dev/null 2>&1 || die "$c not found although its package is installed"
done

# --- binaries under test ---------------------------------------------------------
abs() { printf '%s/%s\n' "$(cd -- "$(dirname -- "$1")" && pwd)" "$(basename -- "$1")"; }
for b in OTA_SIGN OTA_KEYS OTA_BENCH_SIGN; do
    if [[ ! -f ${!b} || ! -x ${!b} ]]; then
        hint='build first: ci/build.sh release'
        [[ $b == OTA_BENCH_SIGN ]] && hint+=' (ota-bench-sign is bench/CMakeLists.txt, built when the top CMakeLists.txt has add_subdirectory(bench))'
        printf '%s: %s not found; %s, or set %s\n' "$PROG" "${!b}" "$hint" "$b" >&2
        exit 2
    fi
    printf -v "$b" '%s' "$(abs "${!b}")"
done
BUILD_TYPE=''
if [[ $OTA_SIGN == "$ROOT/build/release/"* && -f $ROOT/build/release/CMakeCache.txt ]]; then
    BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$ROOT/build/release/CMakeCache.txt" | head -n1)
    case $BUILD_TYPE in
    Release | RelWithDebInfo) ;;
    *) note "warning: build/release is configured as '${BUILD_TYPE:-<none>}', not Release; timings will not be representative" ;;
    esac
fi

# The SoftHSM2 module: what p11-kit registers, else the Debian paths.
MODULE=${BENCH_MODULE:-}
if [[ -z $MODULE ]]; then
    MODULE=$(sed -n 's/^module:[[:space:]]*//p' /usr/share/p11-kit/modules/softhsm2.module 2>/dev/null | head -n1 || true)
    for m in "$MODULE" /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so /usr/lib/softhsm/libsofthsm2.so; do
        if [[ -n $m && -f $m ]]; then MODULE=$m; break; fi
    done
fi
[[ -n $MODULE && -f $MODULE ]] || die "SoftHSM2 module not found (set BENCH_MODULE)"

# --- scratch space and the throwaway token -------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ota-bench-sign.XXXXXX")
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() { rm -rf -- "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Nothing from the caller's environment may change what is measured.
unset OTA_AUDIT_LOG OTA_PKCS11_PIN OTA_KEY_PASSPHRASE
HSM=$TMP/hsm
token_env=$(keys-example/softhsm-token.sh "$HSM" 2>"$TMP/token.err") ||
    die "could not create the SoftHSM2 token: $(tail -n1 "$TMP/token.err")"
eval "$token_env"
TOKEN=${OTA_EXAMPLE_TOKEN:-ota-example}
PIN_FILE=$HSM/user.pin
[[ -s $PIN_FILE ]] || die "the token script wrote no PIN file"
# pkcs11-tool reads the PIN from this variable (--pin env:NAME), never from argv.
BENCH_P11_PIN=$(<"$PIN_FILE")
export BENCH_P11_PIN

one_line() { tr '\n\r' '  ' <"$1" | sed 's/  */ /g; s/^ //; s/ $//' | cut -c1-300; }
# quiet LABEL CMD...: run, stdout/stderr to files; on failure die with stderr's gist.
quiet() {
    local label=$1
    shift
    local rc=0
    "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
    ((rc == 0)) || die "$label failed (exit $rc): $(one_line "$TMP/err")"
}

hsm_uri() { printf 'pkcs11:token=%s;object=bench-%s?pin-source=file:%s' "$TOKEN" "$1" "$PIN_FILE"; }
hsm_pub_uri() { printf 'pkcs11:token=%s;object=bench-%s' "$TOKEN" "$1"; }

LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$LOAD_START" 'BEGIN { exit !(l > 0.5) }'; then
    note "warning: load average is $LOAD_START at start; timings may be noisy"
fi
note "ota-sign: $OTA_SIGN"
note "module: $MODULE; token: $TOKEN (throwaway, in $TMP)"

declare -A P11_ID PUB KEYFILE
for a in "${ALGOS[@]}"; do
    note "generating $a keys (softhsm2 and file)"
    quiet "ota-keys generate --algo $a (softhsm2)" "$OTA_KEYS" --module "$MODULE" generate --algo "$a" --key "$(hsm_uri "$a")"
    KEYFILE[$a]=$TMP/$a.pem
    quiet "ota-keys generate --algo $a (file)" "$OTA_KEYS" generate --algo "$a" --key "file:${KEYFILE[$a]}"
    # Public halves as PEM, for verifying every signature with openssl.
    PUB[softhsm2:$a]=$TMP/hsm-$a.pub.pem
    quiet "ota-keys public (softhsm2 $a)" "$OTA_KEYS" --module "$MODULE" public --key "$(hsm_pub_uri "$a")" \
        --format pem --out "${PUB[softhsm2:$a]}"
    PUB[file:$a]=$TMP/file-$a.pub.pem
    quiet "openssl pkey -pubout ($a)" openssl pkey -in "${KEYFILE[$a]}" -pubout -out "${PUB[file:$a]}"
done
# pkcs11-tool 0.23 ignores --label when it picks the key to --sign with (it takes the
# first private key on the token), so select by CKA_ID.
quiet "ota-keys list" "$OTA_KEYS" --module "$MODULE" --json list --token "pkcs11:token=$TOKEN?pin-source=file:$PIN_FILE"
for a in "${ALGOS[@]}"; do
    P11_ID[$a]=$(jq -r --arg l "bench-$a" '[.keys[] | select(.class == "private" and .label == $l) | .id] |
        if length == 1 then .[0] else empty end' "$TMP/out")
    [[ ${P11_ID[$a]} =~ ^[0-9a-f]+$ ]] || die "ota-keys list shows no single private key 'bench-$a'"
done

MSG=$TMP/msg-$CLI_BYTES
head -c "$CLI_BYTES" /dev/urandom >"$MSG"
openssl dgst -sha256 -binary -out "$MSG.sha256" "$MSG"

# --- 1. in-process throughput ------------------------------------------------------
RATES=$TMP/rates.jsonl
: >"$RATES"
bytes_args=()
for n in "${RATE_BYTES[@]}"; do bytes_args+=(--bytes "$n"); done
for a in "${ALGOS[@]}"; do
    for backend in softhsm2 file; do
        note "in-process: $a $backend"
        if [[ $backend == softhsm2 ]]; then
            key=$(hsm_uri "$a") mod=(--module "$MODULE")
        else
            key=file:${KEYFILE[$a]} mod=()
        fi
        quiet "ota-bench-sign $a $backend" "$OTA_BENCH_SIGN" --backend "$backend" --key "$key" "${mod[@]}" \
            "${bytes_args[@]}" --seconds "$SECONDS_PER" --min-signatures "$MIN_SIGS"
        jq -e -c --arg a "$a" --arg b "$backend" 'select(.algorithm == $a and .backend == $b)' "$TMP/out" >>"$RATES" ||
            die "ota-bench-sign $a $backend printed no measurement for $a/$backend"
    done
done

# --- 2. one-shot CLI cost ------------------------------------------------------------
# Case names: TOOL:ALGO:BACKEND, TOOL one of ota-sign, ota-sign-p11kit (no --module:
# p11-kit's registered modules are all loaded), pkcs11-tool, openssl.
# case_cmd CASE OUT -> CMD array
case_cmd() {
    local tool algo backend dest=$2
    IFS=: read -r tool algo backend <<<"$1"
    case $tool in
    ota-sign)
        if [[ $backend == softhsm2 ]]; then
            CMD=("$OTA_SIGN" --module "$MODULE" --key "$(hsm_uri "$algo")" --in "$MSG" --out "$dest")
        else
            CMD=("$OTA_SIGN" --key "file:${KEYFILE[$algo]}" --in "$MSG" --out "$dest")
        fi
        ;;
    ota-sign-p11kit) CMD=("$OTA_SIGN" --key "$(hsm_uri "$algo")" --in "$MSG" --out "$dest") ;;
    pkcs11-tool)
        CMD=(pkcs11-tool --module "$MODULE" --token-label "$TOKEN" --login --pin env:BENCH_P11_PIN
            --sign --id "${P11_ID[$algo]}" -o "$dest")
        case $algo in
        ed25519) CMD+=(-m EDDSA -i "$MSG") ;;
        ecdsa-p256) CMD+=(-m ECDSA --signature-format openssl -i "$MSG.sha256") ;;
        rsa-pss-3072) CMD+=(-m SHA256-RSA-PKCS-PSS --mgf MGF1-SHA256 --salt-len 32 -i "$MSG") ;;
        esac
        ;;
    openssl)
        case $algo in
        ed25519) CMD=(openssl pkeyutl -sign -inkey "${KEYFILE[$algo]}" -rawin -in "$MSG" -out "$dest") ;;
        ecdsa-p256) CMD=(openssl dgst -sha256 -sign "${KEYFILE[$algo]}" -out "$dest" "$MSG") ;;
        rsa-pss-3072)
            CMD=(openssl dgst -sha256 -sign "${KEYFILE[$algo]}" -sigopt rsa_padding_mode:pss
                -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256 -out "$dest" "$MSG")
            ;;
        esac
        ;;
    esac
}
# Human form of a case's command, for the table and the JSON (no PIN: it is never in argv).
case_label() {
    local tool algo backend
    IFS=: read -r tool algo backend <<<"$1"
    case $tool:$algo in
    ota-sign:*) [[ $backend == softhsm2 ]] && echo "ota-sign --module" || echo "ota-sign" ;;
    ota-sign-p11kit:*) echo "ota-sign (p11-kit modules)" ;;
    pkcs11-tool:ed25519) echo "pkcs11-tool -m EDDSA" ;;
    pkcs11-tool:ecdsa-p256) echo "pkcs11-tool -m ECDSA (digest given)" ;;
    pkcs11-tool:rsa-pss-3072) echo "pkcs11-tool -m SHA256-RSA-PKCS-PSS" ;;
    openssl:ed25519) echo "openssl pkeyutl -rawin" ;;
    openssl:*) echo "openssl dgst -sha256 -sign" ;;
    esac
}

# verify_sig ALGO PUB SIG: openssl checks a signature over $MSG.
verify_sig() {
    local algo=$1 pub=$2 sig=$3
    case $algo in
    ed25519) openssl pkeyutl -verify -pubin -inkey "$pub" -rawin -in "$MSG" -sigfile "$sig" ;;
    ecdsa-p256) openssl dgst -sha256 -verify "$pub" -signature "$sig" "$MSG" ;;
    rsa-pss-3072)
        openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
            -sigopt rsa_mgf1_md:sha256 -verify "$pub" -signature "$sig" "$MSG"
        ;;
    esac
}

CASES=()
for a in "${ALGOS[@]}"; do
    CASES+=("ota-sign:$a:softhsm2" "ota-sign-p11kit:$a:softhsm2" "pkcs11-tool:$a:softhsm2" "ota-sign:$a:file" "openssl:$a:file")
done

# One run of each case first: it must succeed, and its signature must verify.
declare -A BEST SIGFILE
for c in "${CASES[@]}"; do
    SIGFILE[$c]=$TMP/sig-${c//:/-}
    case_cmd "$c" "${SIGFILE[$c]}"
    quiet "$(case_label "$c") ($c)" "${CMD[@]}"
    IFS=: read -r _ algo backend <<<"$c"
    verify_sig "$algo" "${PUB[$backend:$algo]}" "${SIGFILE[$c]}" >"$TMP/verify.out" 2>&1 ||
        die "the signature made by $(case_label "$c") for $algo/$backend does not verify: $(one_line "$TMP/verify.out")"
done

# Rounds: every case runs CLI_REPS times back to back, cases interleaved, so slow
# drift of the machine hits all alike. The best (lowest) round mean counts.
now() { printf '%s' "${EPOCHREALTIME/[.,]/}"; }   # microseconds, no fork
for ((round = 1; round <= CLI_ROUNDS; round++)); do
    note "one-shot CLI: round $round of $CLI_ROUNDS (${#CASES[@]} commands x $CLI_REPS runs)"
    for c in "${CASES[@]}"; do
        case_cmd "$c" "${SIGFILE[$c]}"
        t0=$(now)
        for ((i = 0; i < CLI_REPS; i++)); do
            "${CMD[@]}" >/dev/null 2>"$TMP/err" || die "$(case_label "$c") ($c) failed (exit $?): $(one_line "$TMP/err")"
        done
        t1=$(now)
        mean=$(awk -v a="$t0" -v b="$t1" -v n="$CLI_REPS" 'BEGIN { printf "%.6f", (b - a) / 1e6 / n }')
        if [[ -z ${BEST[$c]:-} ]] || awk -v m="$mean" -v b="${BEST[$c]}" 'BEGIN { exit !(m < b) }'; then
            BEST[$c]=$mean
        fi
    done
done
# The last signatures must verify too.
for c in "${CASES[@]}"; do
    IFS=: read -r _ algo backend <<<"$c"
    verify_sig "$algo" "${PUB[$backend:$algo]}" "${SIGFILE[$c]}" >"$TMP/verify.out" 2>&1 ||
        die "the last signature made by $(case_label "$c") for $algo/$backend does not verify"
done

# --- report -----------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "null"; else printf "%.3f", a / b }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.2f", s * 1000 }'; }
size_name() { if (($1 >= 1048576)); then echo "$(($1 / 1048576)) MiB"; elif (($1 >= 1024)); then echo "$(($1 / 1024)) KiB"; else echo "$1 B"; fi; }
rate_of() { jq -r --arg a "$1" --arg b "$2" --argjson n "$3" --arg f "$4" \
    'select(.algorithm == $a and .backend == $b and .message_bytes == $n) | .[$f]' "$RATES"; }

{
    printf '\n== in-process signing: signatures/s through ota::signer::Signer::sign()\n'
    printf '   (each signature is also verified in software by Signer::sign; verify/s is that check alone;\n'
    printf '    %s s or >= %s signatures per measurement; module load and login not timed)\n' "$SECONDS_PER" "$MIN_SIGS"
    printf '  %-13s %-8s %14s %12s %15s %12s %11s\n' algorithm message "softhsm2 sig/s" "file sig/s" "softhsm2/file" "sw verify/s" "open ms hsm"
    printf '  %-13s %-8s %14s %12s %15s %12s %11s\n' ------------- -------- -------------- ------------ --------------- ------------ -----------
} >&2
IN_RATIOS=$TMP/in_ratios.jsonl
: >"$IN_RATIOS"
for a in "${ALGOS[@]}"; do
    for n in "${RATE_BYTES[@]}"; do
        h=$(rate_of "$a" softhsm2 "$n" per_second) f=$(rate_of "$a" file "$n" per_second)
        v=$(rate_of "$a" file "$n" verify_per_second) o=$(rate_of "$a" softhsm2 "$n" open_seconds)
        r=$(ratio "$h" "$f")
        printf '  %-13s %-8s %14.1f %12.1f %15s %12.0f %11s\n' "$a" "$(size_name "$n")" "$h" "$f" "$r" "$v" "$(ms "$o")" >&2
        jq -cn --arg a "$a" --argjson n "$n" --argjson h "$h" --argjson f "$f" --argjson r "$r" \
            '{algorithm: $a, message_bytes: $n, softhsm2_per_second: $h, file_per_second: $f, softhsm2_vs_file: $r}' >>"$IN_RATIOS"
    done
done

{
    printf '\n== one-shot CLI: one %s signature per process (start, module load, login, sign, write)\n' "$(size_name "$CLI_BYTES")"
    printf '   (ms = mean wall clock per run, best of %s rounds x %s runs; ratio = ota-sign ms / peer ms, < 1 is faster)\n' "$CLI_ROUNDS" "$CLI_REPS"
    printf '  %-13s %-9s %-27s %8s   %-36s %8s %7s\n' algorithm backend ours "ms" peer "ms" ratio
    printf '  %-13s %-9s %-27s %8s   %-36s %8s %7s\n' ------------- --------- --------------------------- -------- ------------------------------------ -------- -------
} >&2
CLI_JSON=$TMP/cli.jsonl
CLI_RATIOS=$TMP/cli_ratios.jsonl
: >"$CLI_JSON"
: >"$CLI_RATIOS"
for c in "${CASES[@]}"; do
    IFS=: read -r tool algo backend <<<"$c"
    case_cmd "$c" SIG
    # the command as run, with the scratch directory shown as $TMP
    shown=$(printf '%s ' "${CMD[@]}" | sed "s#$TMP#\$TMP#g; s# \$##")
    jq -cn --arg t "$tool" --arg a "$algo" --arg b "$backend" --arg l "$(case_label "$c")" --arg cmd "$shown" \
        --argjson s "${BEST[$c]}" --argjson reps "$CLI_REPS" --argjson rounds "$CLI_ROUNDS" \
        '{tool: $t, algorithm: $a, backend: $b, label: $l, command: $cmd, seconds_per_run: $s,
          runs_per_round: $reps, rounds: $rounds}' >>"$CLI_JSON"
done
for a in "${ALGOS[@]}"; do
    for pair in "ota-sign:softhsm2:pkcs11-tool" "ota-sign-p11kit:softhsm2:pkcs11-tool" "ota-sign:file:openssl"; do
        IFS=: read -r ours backend peer <<<"$pair"
        o=${BEST[$ours:$a:$backend]} p=${BEST[$peer:$a:$backend]}
        r=$(ratio "$o" "$p")
        printf '  %-13s %-9s %-27s %8s   %-36s %8s %7s\n' "$a" "$backend" "$(case_label "$ours:$a:$backend")" "$(ms "$o")" \
            "$(case_label "$peer:$a:$backend")" "$(ms "$p")" "$r" >&2
        jq -cn --arg a "$a" --arg b "$backend" --arg o "$ours" --arg p "$peer" --argjson os "$o" --argjson ps "$p" --argjson r "$r" \
            '{algorithm: $a, backend: $b, ours: $o, peer: $p, ours_seconds: $os, peer_seconds: $ps, ratio: $r}' >>"$CLI_RATIOS"
    done
done

LOAD_END=$(cut -d' ' -f1 /proc/loadavg)
printf '\nload average: %s at start, %s at end; every signature was verified with openssl\n' "$LOAD_START" "$LOAD_END" >&2

if ((JSON)); then
    pkgv() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
    versions=$(jq -cn --arg os "$("$OTA_SIGN" --version 2>/dev/null | awk '{print $NF}')" \
        --arg sh "$(pkgv softhsm2)" --arg sc "$(pkgv opensc)" --arg p11 "$(pkgv p11-kit)" \
        --arg ssl "$(openssl version | awk '{print $2}')" \
        '{ota_sign: $os, softhsm2: $sh, opensc: $sc, p11_kit: $p11, openssl: $ssl}')
    jq -n --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg host "$(uname -srm)" --argjson cores "$(nproc)" \
        --argjson load0 "$LOAD_START" --argjson load1 "$LOAD_END" --argjson versions "$versions" \
        --arg bt "$BUILD_TYPE" --arg mod "$MODULE" --arg ota "$OTA_SIGN" --arg bench "$OTA_BENCH_SIGN" \
        --argjson secs "$SECONDS_PER" --argjson mins "$MIN_SIGS" --argjson reps "$CLI_REPS" \
        --argjson rounds "$CLI_ROUNDS" --argjson cb "$CLI_BYTES" \
        --slurpfile rates "$RATES" --slurpfile inr "$IN_RATIOS" --slurpfile cli "$CLI_JSON" --slurpfile clir "$CLI_RATIOS" \
        '{benchmark: "sign", date: $date, host: $host, cores: $cores,
          load_average: {start: $load0, end: $load1},
          versions: $versions, build_type: (if $bt == "" then null else $bt end),
          module_path: $mod, ota_sign: $ota, ota_bench_sign: $bench,
          in_process: {seconds: $secs, min_signatures: $mins, includes_software_verify: true,
                       measurements: $rates, ratios: $inr},
          cli: {message_bytes: $cb, runs_per_round: $reps, rounds: $rounds, statistic: "best round mean",
                commands: $cli, ratios: $clir}}'
fi
exit 0
