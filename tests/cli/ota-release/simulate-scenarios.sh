# The three scenarios over a generated 200,000-vehicle fleet (4 regions x 3
# hardware revisions), fixed seeds: healthy 0.4 % completes; one segment at 8 % stops at
# the canary while the others complete; 3.5 % everywhere holds at the canary having spent
# at most 3 % of the campaign's cost. The same seed gives the same bytes.
source "$CLI_DIR/release_setup.sh"
release_fleet_200k
"$OTA_RELEASE" plan --config rel/release.yaml --out plan 2>/dev/null || exit 10
sim() { "$OTA_RELEASE" campaign simulate --plan plan --json "$@"; }
sim --seed 1 --failure-rate 0.004 >healthy.json || exit 11
jq -e '.state == "completed" and (.segments | length) == 12 and all(.segments[]; .state == "completed" and .stage == "full")
       and (.segments | map(.executed) | add) == 200000 and .spent_share == 1' healthy.json >/dev/null || exit 12
sim --seed 1 --failure-rate 0.004 >again.json && cmp healthy.json again.json || exit 13
sim --seed 2 --failure-rate 0.004 --segment-failure-rate EU/tcu-revB=0.08 >one.json || exit 14
jq -e '[.segments[] | select(.segment == "EU/tcu-revB")][0] | (.state == "held" or .state == "rolled_back") and .stage == "canary"' one.json >/dev/null || exit 15
jq -e '[.segments[] | select(.segment != "EU/tcu-revB")] | length == 11 and all(.state == "completed")' one.json >/dev/null || exit 16
sim --seed 3 --failure-rate 0.035 >sick.json || exit 17
jq -e '.state == "held" and all(.segments[]; .state == "held" and .stage == "canary") and .spent_share <= 0.03' sick.json >/dev/null || exit 18
# every decision names its inputs: n, failures, the bounds and the rule
jq -e 'all(.decisions[]; has("executed") and has("failed") and has("success_lower") and has("rule") and (.rule | length) > 0)' sick.json >/dev/null || exit 19
# bad options: one line, nothing else
"$OTA_RELEASE" campaign simulate --plan plan --seed 1 --failure-rate 0.1 --segment-failure-rate MARS/tcu-revA=0.5
echo "exit $?" >&2
"$OTA_RELEASE" campaign simulate --plan plan --seed 1 --failure-rate 1.5
echo "exit $?" >&2
exit 0
