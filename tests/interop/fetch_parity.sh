#!/usr/bin/env bash
# Differential test (issue 9 §5): ota-fetch and tuf-js 5.0.1 must agree on every crafted
# repository of tests/tools/fetch_scenarios.cc — both accept (and download the same
# bytes) or both reject — except the documented divergences where ours is stricter
# (docs/notes/ota-fetch-gaps.md §7), which a plan line marks and this test asserts.
#
# Each scenario directory has root.json, steps/N/{metadata,targets}/ and a plan, one line
# per step: "N TARGET EXPECT" (TARGET may hold spaces), "# why" before a divergence. One
# tests/cli/repo_server.py serves all scenarios: SCENARIO/current is a symlink moved to
# steps/N before step N (the server resolves it per request). Both clients keep their
# state across a scenario's steps like a device: ota-fetch its metadata dir (init once),
# tuf-js its cache dir. Steps run in lock-step across scenarios: for step N every
# scenario's symlink is moved, ota-fetch runs once per scenario, then one node process
# (tests/interop/node/tufjs_batch.mjs) runs every scenario's tuf-js job, so node starts
# once per step rather than once per job.
#
# Environment: OTA_FETCH, FETCH_SCENARIOS, TUFJS_CACHE (npm install dir), REPO_SERVER;
# FETCH_PARITY_VERBOSE=1 prints both clients' reasons for every rejection (to check that
# a scenario is rejected for what it crafts, not for a mistake in the harness).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/tufjs_lib.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
for v in OTA_FETCH FETCH_SCENARIOS TUFJS_CACHE REPO_SERVER; do [ -n "${!v:-}" ] || fail "$v is not set"; done
export no_proxy=127.0.0.1 NO_PROXY=127.0.0.1
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY

start=$SECONDS
work=$(mktemp -d /tmp/ota-fetch-parity.XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
tufjs_install "$TUFJS_CACHE" || fail "could not install tuf-js (npm ci)"

scen=$work/scenarios state=$work/state
"$FETCH_SCENARIOS" "$scen" >/dev/null || fail "fetch_scenarios could not write the scenarios"

python3 "$REPO_SERVER" "$scen" --log "$work/requests.log" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 200); do grep -q '^PORT ' "$work/server.out" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/^PORT //p' "$work/server.out")
[ -n "$port" ] || fail "repo_server.py did not start: $(cat "$work/server.err")"
base=http://127.0.0.1:$port

# The plans: per scenario, per step, the target and the expectation.
declare -A target expect why status
names=() max_step=0 pids=()
for dir in "$scen"/*/; do
  name=$(basename "$dir")
  names+=("$name")
  reason=""
  while IFS= read -r line; do
    case "$line" in
      '#'*) reason=${line#\# }; continue ;;
      '') continue ;;
    esac
    n=${line%% *} rest=${line#* }
    if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$rest" = "$line" ]; then fail "$name: bad plan line '$line'"; fi
    target[$name.$n]=${rest% *} expect[$name.$n]=${rest##* } why[$name.$n]=$reason
    case "${expect[$name.$n]}" in
      accept | reject) [ -z "$reason" ] || fail "$name: a reason before a plain '$line'" ;;
      ours-reject-tufjs-accept | ours-accept-tufjs-reject) [ -n "$reason" ] || fail "$name: divergence without a '# why' line" ;;
      *) fail "$name: unknown expectation in '$line'" ;;
    esac
    [ -d "$dir/steps/$n" ] || fail "$name: plan names step $n, which is not written"
    [ "$n" -le "$max_step" ] || max_step=$n
    reason=""
  done <"$dir/plan"
  mkdir -p "$state/$name"
  status[$name]=ok
done
for name in "${names[@]}"; do
  "$OTA_FETCH" --metadata-dir "$state/$name/md" init "$scen/$name/root.json" >/dev/null 2>"$state/$name/init.err" &
  pids+=($!)
  [ "${#pids[@]}" -lt 4 ] || { wait "${pids[0]}" || fail "ota-fetch init failed: $(cat "$state"/*/init.err)"; pids=("${pids[@]:1}"); }
done
for pid in "${pids[@]}"; do wait "$pid" || fail "ota-fetch init failed: $(cat "$state"/*/init.err)"; done
[ "${#names[@]}" -ge 30 ] || fail "only ${#names[@]} scenarios were written"

# json_job KEY TEXT...: the job object for pairs of KEY and TEXT, in $job (no fork per
# string, which costs seconds over all jobs). Plan lines hold no newline.
json_job() {
  local t sep="{"
  job=""
  while [ "$#" -ge 2 ]; do
    t=${2//\\/\\\\}
    t=${t//\"/\\\"}
    t=${t//$'\t'/\\t}
    t=${t//$'\r'/\\r}
    job+="$sep\"$1\":\"$t\""
    sep=","
    shift 2
  done
  job+="}"
}

# ours_step NAME N URL: ota-fetch's run for scenario NAME at step N; exit status to a file.
ours_step() {
  local s=$state/$1 rc=0
  "$OTA_FETCH" --metadata-dir "$s/md" --metadata-url "$3/metadata/" --target-base-url "$3/targets/" \
    --target-dir "$s/tg.$2" --target-name "${target[$1.$2]}" download >/dev/null 2>"$s/ours.$2.err" || rc=$?
  echo "$rc" >"$s/ours.$2.rc"
}

shopt -s nullglob
failures=() divergences=0 checks=0
# mismatch NAME N WHAT: records a failure of scenario NAME at step N with both clients' words.
mismatch() {
  local name=$1 n=$2 what=$3 s=$state/$1
  status[$name]=FAIL
  failures+=("$name step $n (target '${target[$name.$n]}', plan ${expect[$name.$n]}): $what
    ota-fetch: exit ${ours_rc}: $(tr '\n' ' ' <"$s/ours.$n.err")
    tuf-js:    $(cat "$s/tufjs.$n.json")")
}

for ((n = 1; n <= max_step; n++)); do
  active=()
  for name in "${names[@]}"; do
    [ -n "${expect[$name.$n]:-}" ] || continue
    active+=("$name")
    ln -sfn "steps/$n" "$scen/$name/current"
  done
  [ "${#active[@]}" -gt 0 ] || continue

  # ota-fetch, one run per scenario (a few at a time: each scenario has its own state and
  # server directory); the tuf-js jobs for the same states.
  jobs_file=$work/jobs.$n.json
  # (`wait` names the runs: a bare one would wait for the server too.)
  pids=() sep="["
  for name in "${active[@]}"; do
    s=$state/$name url=$base/$name/current
    ours_step "$name" "$n" "$url" &
    pids+=($!)
    [ "${#pids[@]}" -lt 4 ] || { wait "${pids[0]}"; pids=("${pids[@]:1}"); }
    json_job metadata_url "$url/metadata/" targets_url "$url/targets/" root "$scen/$name/root.json" \
      dir "$s/tufjs" target "${target[$name.$n]}" out "$s/tufjs-out.$n/target"
    printf '%s%s\n' "$sep" "$job"
    sep=","
  done >"$jobs_file"
  echo "]" >>"$jobs_file"
  [ "${#pids[@]}" = 0 ] || wait "${pids[@]}"
  node "$TUFJS_NODE_SRC/tufjs_batch.mjs" "$jobs_file" >"$work/tufjs.$n.out" 2>"$work/tufjs.$n.err" ||
    fail "tufjs_batch.mjs failed at step $n: $(cat "$work/tufjs.$n.out" "$work/tufjs.$n.err")"
  [ "$(wc -l <"$work/tufjs.$n.out")" -eq "${#active[@]}" ] ||
    fail "tufjs_batch.mjs gave $(wc -l <"$work/tufjs.$n.out") answers for ${#active[@]} jobs at step $n: $(cat "$work/tufjs.$n.err")"

  i=0
  while IFS= read -r answer; do
    name=${active[$i]} s=$state/${active[$i]}
    i=$((i + 1)) checks=$((checks + 1))
    printf '%s\n' "$answer" >"$s/tufjs.$n.json"
    ours_rc=$(<"$s/ours.$n.rc")
    case "$ours_rc" in 0) ours=accept ;; 1) ours=reject ;; *) ours=error ;; esac
    case "$answer" in '{"ok":true,'*) theirs=accept ;; *) theirs=reject ;; esac
    case "${expect[$name.$n]}" in
      accept | reject) want_ours=${expect[$name.$n]} want_theirs=${expect[$name.$n]} ;;
      ours-reject-tufjs-accept) want_ours=reject want_theirs=accept ;;
      ours-accept-tufjs-reject) want_ours=accept want_theirs=reject ;;
    esac
    if [ "$ours" = error ]; then mismatch "$name" "$n" "ota-fetch failed as a tool (exit $ours_rc, not 0 or 1)"; continue; fi
    if [ "$ours" != "$want_ours" ] || [ "$theirs" != "$want_theirs" ]; then
      if [ "$ours" = "$theirs" ]; then
        mismatch "$name" "$n" "both clients ${ours} it, the plan says otherwise"
      else
        mismatch "$name" "$n" "the clients disagree: ota-fetch ${ours}s, tuf-js ${theirs}s"
      fi
      continue
    fi
    [ "$want_ours" = "$want_theirs" ] || divergences=$((divergences + 1))
    if [ -n "${FETCH_PARITY_VERBOSE:-}" ] && { [ "$ours" = reject ] || [ "$theirs" = reject ]; }; then
      printf '%s step %s (%s):\n  ota-fetch: %s\n  tuf-js:    %s\n' "$name" "$n" "${target[$name.$n]}" \
        "$(tr '\n' ' ' <"$s/ours.$n.err")" "$answer"
    fi
    # What each stored: the verified target (ota-fetch: one file named after the path,
    # its partial files begin with '.'), or nothing.
    stored=("$s/tg.$n"/*)
    if [ "$ours" = accept ]; then
      [ "${#stored[@]}" = 1 ] || { mismatch "$name" "$n" "ota-fetch accepted but stored ${#stored[@]} target files"; continue; }
    else
      [ "${#stored[@]}" = 0 ] || { mismatch "$name" "$n" "ota-fetch rejected but stored ${stored[*]}"; continue; }
    fi
    if [ "$theirs" = reject ] && [ -e "$s/tufjs-out.$n/target" ]; then
      mismatch "$name" "$n" "tuf-js rejected but wrote its output file"; continue
    fi
    if [ "$ours" = accept ] && [ "$theirs" = accept ] && ! cmp -s "${stored[0]}" "$s/tufjs-out.$n/target"; then
      mismatch "$name" "$n" "both accept but downloaded different bytes"; continue
    fi
    # And the bytes the scenario meant (the first matching delegation's, say).
    want=""
    [ ! -f "$scen/$name/steps/$n/target.sha256" ] || want=$(<"$scen/$name/steps/$n/target.sha256")
    if [ -n "$want" ] && [ "$ours" = accept ]; then
      got=$(sha256sum <"${stored[0]}") && got=${got%% *}
      [ "$got" = "$want" ] || { mismatch "$name" "$n" "ota-fetch downloaded sha256 $got, the scenario signed $want"; continue; }
    fi
    if [ -n "$want" ] && [ "$theirs" = accept ]; then
      [[ "$answer" =~ \"sha256\":\"([0-9a-f]*)\" ]] && got=${BASH_REMATCH[1]} || got=none
      [ "$got" = "$want" ] || mismatch "$name" "$n" "tuf-js downloaded sha256 $got, the scenario signed $want"
    fi
  done <"$work/tufjs.$n.out"
done

for name in "${names[@]}"; do
  verdicts="" note=""
  for ((n = 1; n <= max_step; n++)); do
    [ -n "${expect[$name.$n]:-}" ] || continue
    verdicts+=" ${expect[$name.$n]}"
    [ -z "${why[$name.$n]}" ] || note="  # ${why[$name.$n]}"
  done
  printf '%-4s %-50s%s%s\n' "${status[$name]}" "$name" "$verdicts" "$note"
done
echo "fetch-parity: ${#names[@]} scenarios, $checks steps, $divergences documented divergences," \
     "${#failures[@]} failures, $((SECONDS - start)) s"
if [ "${#failures[@]}" -gt 0 ]; then
  printf 'FAIL: %s\n' "${failures[@]}" >&2
  exit 1
fi
