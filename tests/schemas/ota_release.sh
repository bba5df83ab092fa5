#!/usr/bin/env bash
# ota-release's files against schemas/: examples/release/release.yaml and the test fleet's
# release file validate against release.schema.json, documents with one defect each do not;
# plan.json, `plan --json`, `campaign simulate --json` and an error document validate.
# Needs OTA_RELEASE, MAKE_PAIR, CLI_DIR.
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
if "$OTA_RELEASE" plan --config rel/nothing.yaml --out p2 --json >err.json 2>/dev/null; then exit 1; fi
$validate "$schemas/error.schema.json" err.json
echo "ota-release schemas: ok"
