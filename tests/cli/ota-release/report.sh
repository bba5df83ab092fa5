# report: the records (update, vehicles with a compatibility decision and outcome per
# ECU, every decision, cost per stage x segment x region, a summary) and index.json
# signed with the targets key: ota-sign verifies it, a changed record no longer matches
# its hash, a changed index no longer verifies. Same inputs, same bytes (Ed25519).
source "$CLI_DIR/release_setup.sh"
release_setup
release_keys
"$OTA_RELEASE" plan --config rel/release.yaml --out plan 2>/dev/null || exit 10
awk -F, 'NR > 1 && $3 == "canary" {printf "{\"vin\":\"%s\",\"ecu_serial\":\"%s\",\"result\":\"%s\"}\n", $4, $5, (NR % 97 == 0 ? "failure" : "success")}' \
  plan/cohorts.csv >outcomes.jsonl
"$OTA_RELEASE" report --plan plan --outcomes outcomes.jsonl --out rec --purpose "fixes the modem watchdog (TCU-1432)" \
  --json >report.json 2>/dev/null || exit 11
[ "$(ls rec | tr '\n' ' ')" = "cost.csv decisions.json index.json index.json.sig summary.txt update.json vehicles.csv " ] || exit 12
"$OTA_SIGN" verify --pub file:rel/keys/targets.pem --in rec/index.json --sig rec/index.json.sig 2>/dev/null || exit 13
check() { jq -r '.files[] | "\(.sha256)  rec/\(.name)"' rec/index.json | sha256sum --quiet -c - 2>/dev/null; }
check || exit 14
jq -e '.files | length == 5' rec/index.json >/dev/null || exit 15
jq -e --arg k "$(jq -r .keyid report.json)" '.signing.keyid == $k and .purpose == "fixes the modem watchdog (TCU-1432)"
       and (.affected_hardware_ids == ["tcu-revA", "tcu-revB"]) and (.software_identification | length) == 2' rec/update.json >/dev/null || exit 16
[ "$(tail -n +2 rec/vehicles.csv | wc -l)" = 5000 ] || exit 17
[ "$(awk -F, '$10 == "success" || $10 == "failure"' rec/vehicles.csv | wc -l)" = 1600 ] || exit 18
awk -F, 'NR > 1 && $7 != "yes" {bad = 1} END {exit bad}' rec/vehicles.csv || exit 19
jq -e '(.decisions | length) >= 8 and all(.decisions[]; (.rule | length) > 0)' rec/decisions.json >/dev/null || exit 20
# cost: rows of stage x segment x region; the last cumulative figure is the total
[ "$(head -1 rec/cost.csv)" = "stage,segment,region,vehicles,payload_bytes,overhead_bytes,usd,cumulative_usd,spent_if_aborted_after_stage_usd,saving_vs_full_images_usd" ] || exit 21
[ "$(tail -n +2 rec/cost.csv | awk -F, '{n += $4} END {print n}')" = 5000 ] || exit 22
grep -q '^Campaign state: running' rec/summary.txt || exit 23
"$OTA_RELEASE" report --plan plan --outcomes outcomes.jsonl --out rec2 --purpose "fixes the modem watchdog (TCU-1432)" 2>/dev/null || exit 24
diff -r rec rec2 >/dev/null || exit 25
# Tampering is evident.
sed -i '2s/,[0-9]*,/,1,/' rec2/cost.csv
! check2=$(jq -r '.files[] | "\(.sha256)  rec2/\(.name)"' rec2/index.json | sha256sum --quiet -c - 2>/dev/null) || exit 26
sed -i 's/"cost.csv"/"costs.csv"/' rec/index.json
if "$OTA_SIGN" verify --pub file:rel/keys/targets.pem --in rec/index.json --sig rec/index.json.sig 2>/dev/null; then exit 27; fi
exit 0
