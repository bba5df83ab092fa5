# compile: per-stage assignments (every ECU once, delta/full/none as planned) and
# campaign.json. advance: a pure function of plan and outcomes -- the canary first; a
# segment with 15 % failures rolls back (rollback rows to the version each ECU ran), the
# others promote and get their next wave; the same outcomes give the same bytes.
source "$CLI_DIR/release_setup.sh"
release_setup
"$OTA_RELEASE" plan --config rel/release.yaml --out plan 2>/dev/null || exit 10
"$OTA_RELEASE" campaign compile --plan plan --out camp 2>/dev/null || exit 11
[ "$(ls camp/assignments)" = "$(printf '0-canary.csv\n1-early.csv\n2-broad.csv\n3-full.csv')" ] || exit 12
[ "$(tail -qn +2 camp/assignments/*.csv | cut -d, -f1 | sort -u | wc -l)" = 5000 ] || exit 13
[ "$(tail -n +2 camp/assignments/0-canary.csv | wc -l)" = 1600 ] || exit 14        # 200 x 8 segments
head -1 camp/assignments/0-canary.csv | grep -qx 'vin,ecu_serial,hardware_id,installed_version,target,version,payload' || exit 15
! grep -h ',tcu-revA,2.3.0,' camp/assignments/*.csv | grep -Ev ',delta:[0-9a-f]{64}_[0-9a-f]{64}$' | grep -q . || exit 16
awk -F, '$3 == "tcu-revB" && $4 == "2.2.1" && $7 !~ /^full:/ {bad = 1} $4 == "2.4.0" && $7 != "none" {bad = 1} END {exit bad}' camp/assignments/*.csv || exit 17
"$OTA_RELEASE" campaign compile --plan plan --out camp2 2>/dev/null && diff -r camp camp2 >/dev/null || exit 19
jq -e '.stages[0].cumulative_vehicles == 1600 and .stages[3].cumulative_vehicles == 5000 and .rules.abort.action == "rollback"' camp/campaign.json >/dev/null || exit 18

: >none.jsonl
"$OTA_RELEASE" campaign advance --plan plan --results none.jsonl --out a0 --json >a0.json 2>/dev/null || exit 20
jq -e '.waiting and .state == "running" and (.decisions | length) == 0' a0.json >/dev/null || exit 21
cmp -s a0/next-assignments.csv camp/assignments/0-canary.csv || exit 22
# Outcomes for the canary: EU/tcu-revA fails 30 of its 200 (one of them a timeout); the rest succeed.
eu=$(awk -F, '$1 == "EU/tcu-revA" && $3 == "canary" {print $4}' plan/cohorts.csv | head -30)
tail -n +2 a0/next-assignments.csv | cut -d, -f1,2 | while IFS=, read -r vin ecu; do
  if grep -qx "$vin" <<<"$eu"; then r=failure; [ "$vin" = "$(head -1 <<<"$eu")" ] && r=timeout; else r=success; fi
  printf '{"vin":"%s","ecu_serial":"%s","result":"%s"}\n' "$vin" "$ecu" "$r"
done >canary.jsonl
"$OTA_RELEASE" campaign advance --plan plan --results canary.jsonl --out a1 --json >a1.json 2>/dev/null || exit 23
jq -e '[.segments[] | select(.segment == "EU/tcu-revA")][0] | .state == "rolled_back" and .failed == 30' a1.json >/dev/null || exit 24
jq -e '[.segments[] | select(.segment != "EU/tcu-revA")] | all(.state == "running" and .stage != "canary" and .reached > 200)' a1.json >/dev/null || exit 25
jq -e '[.decisions[] | select(.action == "rollback")] | length == 1 and (.[0].rule | test("max_failure"))' a1.json >/dev/null || exit 26
# rollback rows: the EU/tcu-revA vehicles reached that did not run 2.4.0, back to their version
[ "$(tail -n +2 a1/rollback-assignments.csv | wc -l)" = "$(awk -F, '$1 == "EU/tcu-revA" && $3 == "canary" && $7 != "2.4.0"' plan/cohorts.csv | wc -l)" ] || exit 27
awk -F, 'NR > 1 && ($6 != $4 || $7 !~ /^rollback:/) {bad = 1} END {exit bad}' a1/rollback-assignments.csv || exit 28
# next wave: the 7 promoted segments' vehicles reached beyond the canary's 200, none of EU/tcu-revA
[ "$(tail -n +2 a1/next-assignments.csv | wc -l)" = "$(jq '[.segments[] | select(.state == "running") | .reached - 200] | add' a1.json)" ] || exit 29
! grep -Fq -f <(awk -F, '$1 == "EU/tcu-revA" {print $4 ","}' plan/cohorts.csv) a1/next-assignments.csv || exit 33
"$OTA_RELEASE" campaign advance --plan plan --results canary.jsonl --out a2 2>/dev/null || exit 30
diff -r a1 a2 >/dev/null || exit 31
# A VIN not in the plan, and a bad result: one line each, naming file, line and field.
printf '{"vin":"NOPE","result":"success"}\n' >bad.jsonl
"$OTA_RELEASE" campaign advance --plan plan --results bad.jsonl --out a3; echo "exit $?" >&2
head -3 canary.jsonl >bad2.jsonl; printf '{"vin":"WVW00000000000001","result":"ok"}\n' >>bad2.jsonl
"$OTA_RELEASE" campaign advance --plan plan --results bad2.jsonl --out a3; echo "exit $?" >&2
[ ! -e a3 ] || exit 32
"$OTA_RELEASE" campaign compile --plan plan --out plan; echo "exit $?" >&2
"$OTA_RELEASE" emit --plan plan --engine github --out plan/workflow.yml; echo "exit $?" >&2
[ ! -e plan/workflow.yml ] && [ ! -e plan/assignments ] || exit 38
exit 0
