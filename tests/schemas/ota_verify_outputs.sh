#!/usr/bin/env bash
# Every kind of --json document ota-verify prints (e2e updated, rolled back, refused,
# nothing assigned; powercut sweeps, --long fault checks, a replay; an error) validates
# against its schema, and device.yaml files against schemas/device.schema.json; documents
# that break a schema do not. Uses $OTA_VERIFY and the tools verify_setup.sh needs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
schemas="$here/../../schemas"
validate="/usr/bin/python3 $here/validate.py"
work=$(mktemp -d /tmp/ota-schema.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
source "$here/../cli/verify_setup.sh"
make_release
cp flash.img factory.img
e2e() { "$OTA_VERIFY" e2e "${e2e_args[@]}" --json "$@" 2>/dev/null || true; }
e2e --faults seed=1,drop=0.2,corrupt=0.1 > e2e-updated.json
e2e > e2e-up-to-date.json
cp factory.img flash.img
make_director fw/board-1.2.0.slot
e2e --health fail --expect rolled-back > e2e-rolled-back.json
printf 'vin: VIN2\necu_serial: ECU-1\n' > device.yaml
e2e > e2e-refused.json
printf 'vin: VIN1\necu_serial: ECU-9\n' > device.yaml
e2e > e2e-nothing.json
e2e --faults bad > e2e-error.json
$validate "$schemas/ota-verify-e2e.schema.json" e2e-updated.json e2e-up-to-date.json e2e-rolled-back.json e2e-refused.json e2e-nothing.json
$validate "$schemas/error.schema.json" e2e-error.json
[[ $(jq -r .final_state e2e-rolled-back.json) == rolled-back && $(jq -r .final_state e2e-nothing.json) == nothing-assigned ]]

"$OTA_VERIFY" powercut --config stm32f4/ws16/ff --scenario update --long --jobs 2 --json > powercut-long.json 2>/dev/null
"$OTA_VERIFY" powercut --config uniform-4k/ws8/ff --replay 'scenario=update;layout=uniform-4k;ws=8;erased=ff;seed=1;cuts=7:after' --json > replay.json 2>/dev/null
$validate "$schemas/ota-verify-powercut.schema.json" powercut-long.json replay.json
[[ $(jq '[.sweeps[].kind] | unique' -c powercut-long.json) == '["T2","T3","T4"]' && $(jq '.fault_checks | length' powercut-long.json) == 4 ]]

printf 'vin: VIN1\necu_serial: ECU-1\n' > device-ok.json.yaml
python3 -c 'import json,sys,yaml; json.dump(yaml.safe_load(open(sys.argv[1])), open(sys.argv[2], "w"))' device-ok.json.yaml device-ok.json
$validate "$schemas/device.schema.json" device-ok.json

# Negative controls: each broken document must fail its schema.
jq '.final_state = "done"' e2e-updated.json > bad1.json
jq 'del(.bytes)' e2e-updated.json > bad2.json
jq '.sweeps[0].kind = "T9"' powercut-long.json > bad3.json
jq '.extra = 1' replay.json > bad4.json
echo '{"vin": "VIN 1", "ecu_serial": "E"}' > bad5.json
for bad in bad1 bad2; do ! $validate "$schemas/ota-verify-e2e.schema.json" $bad.json 2>/dev/null || { echo "$bad passed" >&2; exit 1; }; done
for bad in bad3 bad4; do ! $validate "$schemas/ota-verify-powercut.schema.json" $bad.json 2>/dev/null || { echo "$bad passed" >&2; exit 1; }; done
! $validate "$schemas/device.schema.json" bad5.json 2>/dev/null || { echo "bad5 passed" >&2; exit 1; }
echo "ota-verify documents match their schemas"
