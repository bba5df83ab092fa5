# plan writes plan.json, cohorts.csv and plan.lock; a second run gives the same bytes; the
# cohorts hold every ECU once; the canary takes min_per_segment of each large segment.
source "$CLI_DIR/release_setup.sh"
release_setup
"$OTA_RELEASE" plan --config rel/release.yaml --out plan1 --json >plan1.json || exit 10
"$OTA_RELEASE" plan --config rel/release.yaml --out plan2 2>summary || exit 11
cmp plan1/plan.json plan2/plan.json && cmp plan1/cohorts.csv plan2/cohorts.csv && cmp plan1/plan.lock plan2/plan.lock || exit 12
grep -q '^ota-release: planned tcu-2.4.0 for 5000 vehicles in 8 segments' summary || exit 13
[ "$(($(wc -l <plan1/cohorts.csv) - 1))" = 5000 ] || exit 14
jq -e '.vehicles == 5000 and (.segments | length) == 8 and (.stages | length) == 4' plan1/plan.json >/dev/null || exit 15
# revA: 1/3 of revA fleet is 2.2.1 -> delta; 2.4.0 already current -> none
jq -e '[.matrix[] | select(.hardware_id == "tcu-revA" and .from_version == "2.2.1")][0].payload == "delta"' plan1/plan.json >/dev/null || exit 16
jq -e '[.matrix[] | select(.hardware_id == "tcu-revB" and .from_version == "2.2.1")][0].payload == "full"' plan1/plan.json >/dev/null || exit 17
jq -e 'all(.segments[]; .stage_end[0] == 200 and .stage_end[3] == .vehicles)' plan1/plan.json >/dev/null || exit 18
jq -e '(.files | map(.role) | sort) == ["image","image","inventory","release","source","source","source"]' plan1/plan.lock >/dev/null || exit 19
jq -e '.vehicles == 5000 and .segments == 8 and .estimated_usd > 0' plan1.json >/dev/null || exit 20
# canary rows in cohorts.csv: 200 per segment
[ "$(awk -F, '$3 == "canary"' plan1/cohorts.csv | wc -l)" = 1600 ] || exit 21
