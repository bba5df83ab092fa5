#!/usr/bin/env bash
# ota-release's files against schemas/: examples/release/release.yaml and the test fleet's
# release file validate against release.schema.json, documents with one defect each do not;
# plan.json, `plan --json`, `campaign simulate --json` and an error document validate.
# Then every other file and --json document against schemas/ota-release-files.schema.json.
# Needs OTA_RELEASE, OTA_KEYS, MAKE_PAIR, CLI_DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
schemas="$here/../../schemas"
validate="/usr/bin/python3 $here/validate.py"
work=$(mktemp -d /tmp/ota-schema.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
to_json() { /usr/bin/python3 -c 'import json,sys,yaml; json.dump(yaml.safe_load(open(sys.argv[1])), open(sys.argv[2],"w"))' "$1" "$2"; }

to_json "$here/../../examples/release/release.yaml" example.json
$validate "$schemas/release.schema.json" example.json
source "$CLI_DIR/release_setup.sh"
release_setup
to_json rel/release.yaml base.json
$validate "$schemas/release.schema.json" base.json
# One defect each: the schema must refuse every one (and ota-release too, with exit 2).
i=0
for edit in 's/percent: 25}/percent: 250}/' 's/^inventory: fleet.csv/inventory: fleet.csv\ncolour: red/' \
             's/action: rollback/action: cancel/' 's/segments: \[region, hardware_id\]/segments: [country]/' \
             's/max_extensions: 3/max_extensions: -1/' 's/^repository: {config: repo.yaml}//'; do
  i=$((i + 1))
  sed "$edit" rel/release.yaml >bad$i.yaml
  to_json bad$i.yaml bad$i.json
  if $validate "$schemas/release.schema.json" bad$i.json 2>/dev/null; then
    echo "FAIL: the schema accepts defect $i ($edit)" >&2; exit 1
  fi
  cp bad$i.yaml rel/bad.yaml
  if "$OTA_RELEASE" plan --config rel/bad.yaml --out out$i 2>/dev/null; then
    echo "FAIL: ota-release accepts defect $i ($edit)" >&2; exit 1
  fi
  rm rel/bad.yaml
done

"$OTA_RELEASE" plan --config rel/release.yaml --out plan --json >plan-result.json 2>/dev/null
$validate "$schemas/ota-release-plan-result.schema.json" plan-result.json
$validate "$schemas/ota-release-plan.schema.json" plan/plan.json
"$OTA_RELEASE" campaign simulate --plan plan --seed 4 --failure-rate 0.01 --segment-failure-rate NA/tcu-revA=0.2 --json >sim.json 2>/dev/null
$validate "$schemas/ota-release-campaign.schema.json" sim.json
files="$schemas/ota-release-files.schema.json"
$validate "$files#plan_lock" plan/plan.lock
"$OTA_RELEASE" emit --plan plan --engine gitlab --out pipeline.yml --json >emit.json 2>/dev/null
$validate "$files#emit_output" emit.json
"$OTA_RELEASE" build --plan plan --shard 0/1 --out results --json >build.json 2>/dev/null
$validate "$files#build_output" build.json
$validate "$files#result" results/*.json
[ "$(jq -s '[.[].kind] | sort | unique' results/*.json | jq -c .)" = '["delta","full","rollback"]' ] || { echo "FAIL: result kinds" >&2; exit 1; }
release_keys
"$OTA_RELEASE" merge --plan plan --results results --repo repo --json >merge.json 2>/dev/null
$validate "$files#merge_output" merge.json
"$OTA_RELEASE" campaign compile --plan plan --out camp 2>/dev/null
$validate "$files#campaign" camp/campaign.json
: >none.jsonl
"$OTA_RELEASE" campaign advance --plan plan --results none.jsonl --out adv 2>/dev/null
$validate "$schemas/ota-release-campaign.schema.json" adv/decisions.json
"$OTA_RELEASE" campaign simulate --plan plan --seed 1 --failure-rate 0.01 --write-outcomes outcomes.jsonl 2>/dev/null
"$OTA_RELEASE" report --plan plan --outcomes outcomes.jsonl --out rec --json >report.json 2>/dev/null
$validate "$files#report_output" report.json
$validate "$files#update" rec/update.json
$validate "$files#index" rec/index.json
# the definitions can fail: a result of another kind, an index without its signer
jq '.kind = "patch"' "$(ls results/*.json | head -1)" >bad-result.json
if $validate "$files#result" bad-result.json 2>/dev/null; then echo "FAIL: a bad result validates" >&2; exit 1; fi
jq 'del(.signed_by)' rec/index.json >bad-index.json
if $validate "$files#index" bad-index.json 2>/dev/null; then echo "FAIL: an unsigned index validates" >&2; exit 1; fi
if "$OTA_RELEASE" plan --config rel/nothing.yaml --out p2 --json >err.json 2>/dev/null; then exit 1; fi
$validate "$schemas/error.schema.json" err.json
echo "ota-release schemas: ok"
