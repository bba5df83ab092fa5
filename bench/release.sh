#!/usr/bin/env bash
# bench/release.sh - ota-release over the issue's 200,000-vehicle fleet (4 regions x 3
# hardware revisions, tests/cli/release_setup.sh): plan, then campaign simulate in the
# three scenarios (0.4 % everywhere, one segment at 8 %, 3.5 % everywhere). The target is
# simulate < 10 s; as a yardstick measured in the same run, `sort` of the fleet CSV by
# VIN (what any planner must at least do once) is timed too and the ratio printed.
#
# Usage: bench/release.sh        (builds build/release's ota-release and make_pair first)
# Environment: BENCH_NO_BUILD=1 uses the binaries as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then
  [[ -f build/release/build.ninja ]] || ci/build.sh release ota-release make_pair >/dev/null
  cmake --build build/release --target ota-release make_pair >/dev/null
fi
export OTA_RELEASE=$PWD/build/release/tools/ota-release/ota-release MAKE_PAIR=$PWD/build/release/tests/make_pair
work=$(mktemp -d "${TMPDIR:-/tmp}/ota-bench-release.XXXXXX")
trap 'rm -rf "$work"' EXIT
source tests/cli/release_setup.sh
cd "$work"
release_fleet_200k
now() { date +%s.%N; }
t0=$(now); LC_ALL=C sort -t, -k1,1 rel/fleet.csv >/dev/null; t1=$(now)
sort_s=$(echo "$t1 - $t0" | bc -l)
t0=$(now); "$OTA_RELEASE" plan --config rel/release.yaml --out plan 2>/dev/null; t1=$(now)
plan_s=$(echo "$t1 - $t0" | bc -l)
printf '%-44s %8s %10s\n' "step (200,000 vehicles)" "seconds" "x sort" >&2
printf '%-44s %8.2f %10.1f\n' "sort fleet.csv by VIN (yardstick)" "$sort_s" 1 >&2
printf '%-44s %8.2f %10.1f\n' "plan" "$plan_s" "$(echo "$plan_s / $sort_s" | bc -l)" >&2
worst=0
for scenario in "healthy:--failure-rate 0.004" "one segment 8 %:--failure-rate 0.004 --segment-failure-rate EU/tcu-revB=0.08" \
                "3.5 % everywhere:--failure-rate 0.035"; do
  name=${scenario%%:*}; args=${scenario#*:}
  t0=$(now); state=$("$OTA_RELEASE" campaign simulate --plan plan --seed 1 $args --json | jq -r .state); t1=$(now)
  s=$(echo "$t1 - $t0" | bc -l)
  printf '%-44s %8.2f %10.1f   %s\n' "simulate, $name" "$s" "$(echo "$s / $sort_s" | bc -l)" "$state" >&2
  worst=$(echo "if ($s > $worst) $s else $worst" | bc -l)
done
printf 'simulate target < 10 s: worst %.2f s -> %s\n' "$worst" "$(echo "$worst < 10" | bc -l | sed 's/1/met/; s/0/NOT met/')" >&2
