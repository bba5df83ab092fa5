#!/usr/bin/env bash
# ci/demo_release.sh OUT FIRMWARE_DIR REPO_YAML TARGETS_PEM: the ota-release part of the demo (called by
# ci/demo.sh with the SoftHSM2 token's environment). A release of the example firmware's
# last version for two hardware classes (example-board and example-board-b, the same
# program with a board trailer) from its three earlier versions, over a generated fleet of
# 20,000 vehicles in 4 regions: plan -> the emitted GitLab pipeline run in gitlab-ci-local
# with 3 shards -> merge into a new image repository signed by the token's role keys ->
# campaign simulate (0.4 % failures, one segment at 8 %) -> report (records signed by the
# targets key). Writes OUT/ and OUT/summary.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$1 firmware=$2 repo_yaml=$3 targets_pem=$4
release=$root/build/release/tools/ota-release/ota-release
sign=$root/build/release/tools/ota-sign/ota-sign
mapfile -t versions <"$firmware/versions.txt"
((${#versions[@]} >= 4)) || { echo "demo_release: need 4 firmware releases" >&2; exit 1; }
to=${versions[3]}
rm -rf "$out"
mkdir -p "$out/build" "$out/old"
variant() {  # hardware class B: the same program with a board trailer
  if [[ $1 == example-board ]]; then cp "$2" "$3"; else { cat "$2"; printf 'BOARD=example-board-b\0'; } >"$3"; fi
}
for hw in example-board example-board-b; do
  variant "$hw" "$firmware/firmware-$to.bin" "$out/build/$hw-$to.bin"
  for v in "${versions[@]:0:3}"; do variant "$hw" "$firmware/firmware-$v.bin" "$out/old/$hw-$v.bin"; done
done
# 20,000 vehicles: 4 regions, 2 classes; most on the previous version, some older, 1 % current.
awk -v a="${versions[0]}" -v b="${versions[1]}" -v c="${versions[2]}" -v d="$to" 'BEGIN {
  print "vin,ecu_serial,hardware_id,installed_version,region";
  split("EU NA APAC SA", rg, " ");
  for (i = 0; i < 20000; i++) {
    r = (i * 7919) % 100;
    v = r < 1 ? d : r < 10 ? a : r < 40 ? b : c;
    printf "DEMO%013d,ECU%06d,%s,%s,%s\n", i, i, i % 3 == 2 ? "example-board-b" : "example-board", v, rg[i % 4 + 1];
  }
}' >"$out/fleet.csv"
src() { local hw=$1; echo "{${versions[0]#v}: old/$hw-${versions[0]}.bin, ${versions[1]#v}: old/$hw-${versions[1]}.bin, ${versions[2]#v}: old/$hw-${versions[2]}.bin}"; }
sed -i "s/,v\([0-9.]*\),/,\1,/" "$out/fleet.csv"  # versions without the v, as release.yaml names them
cat >"$out/release.yaml" <<YAML
release: {id: example-${to#v}, version: ${to#v}}
images:
  - {hardware_id: example-board, file: build/example-board-$to.bin, sources: $(src example-board)}
  - {hardware_id: example-board-b, file: build/example-board-b-$to.bin, sources: $(src example-board-b)}
inventory: fleet.csv
deltas: {min_share: 0.005, max_ratio: 0.6}
segments: [region, hardware_id]
campaign:
  seed: 20261124
  stages:
    - {name: canary, percent: 1, min_per_segment: 200}
    - {name: early, percent: 5}
    - {name: broad, percent: 25}
    - {name: full, percent: 100}
  gate:  {min_success: 0.98, confidence: 0.95, min_executed: 50, max_extensions: 3}
  abort: {max_failure: 0.05, confidence: 0.95, min_executed: 50, action: rollback}
cost: {usd_per_mb: {EU: 0.03, NA: 0.03}, default_usd_per_mb: 0.05, protocol_overhead: 0.03}
repository: {config: $repo_yaml}
YAML

# gitlab-ci-local and action-validator, pinned (tests/interop/ci-engines), installed once.
engines=$root/build/ci-engines
want=$(cat "$root/tests/interop/ci-engines/package.json" "$root/tests/interop/ci-engines/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ ! -d "$engines/node_modules" ] || [ "$(cat "$engines/.lock.sha256" 2>/dev/null)" != "$want" ]; then
  mkdir -p "$engines"
  cp "$root/tests/interop/ci-engines/package.json" "$root/tests/interop/ci-engines/package-lock.json" "$engines/"
  (cd "$engines" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) >&2
  echo "$want" >"$engines/.lock.sha256"
fi

cd "$out"
"$release" plan --config release.yaml --out plan --json >plan-result.json
"$release" emit --plan plan --engine gitlab --max-jobs 3 --tool "$release" --out .gitlab-ci.yml --json >emit.json
git init -q . && git add -A && git -c user.email=demo@example.invalid -c user.name=demo commit -qm "release $to"
"$engines/node_modules/.bin/gitlab-ci-local" --variable "SOFTHSM2_CONF=$SOFTHSM2_CONF" >pipeline.log 2>&1 ||
  { tail -n 30 pipeline.log >&2; echo "demo_release: the GitLab pipeline failed (gitlab-ci-local)" >&2; exit 1; }
jobs=$(grep -c '^ PASS ' pipeline.log)
"$root/build/release/tools/ota-manifest/ota-manifest" verify --repo repo --trusted-root repo/metadata/1.root.json \
  --target "example-board/example-board-$to.bin" --out check.bin >/dev/null 2>&1
cmp -s check.bin "build/example-board-$to.bin" || { echo "demo_release: the merged repository does not verify" >&2; exit 1; }
"$release" campaign simulate --plan plan --seed 7 --failure-rate 0.004 --segment-failure-rate EU/example-board-b=0.08 \
  --write-outcomes outcomes.jsonl --json >simulate.json
"$release" report --plan plan --outcomes outcomes.jsonl --out records --purpose "example firmware $to: the releases' changes" \
  --json >report-result.json
"$sign" verify --pub "$targets_pem" --in records/index.json --sig records/index.json.sig >/dev/null 2>&1 ||
  { echo "demo_release: the records' index does not verify" >&2; exit 1; }
{
  jq -r '"release campaign (ota-release): \(.release) for \(.vehicles) vehicles in \(.segments) segments; \(.delta_ecus) ECUs on a delta, \(.full_image_ecus) on the full image"' plan-result.json
  echo "  GitLab pipeline (gitlab-ci-local 4.64.0): $(jq .shards emit.json) shard jobs over $(jq .items emit.json) items, then merge: $jobs jobs passed; repository verified"
  jq -r '"  simulated (0.4 % failures, EU/example-board-b at 8 %): campaign \(.state); $\(.usd * 100 | round / 100) spent of $\(.usd_planned * 100 | round / 100) planned",
         (.segments[] | "    \(.segment): \(.state) at \(.stage), \(.executed) installed, \(.failed) failed"),
         "  decisions: \(.decisions | length) (\([.decisions[].action] | group_by(.) | map("\(.[0]) \(length)") | join(", ")))"' simulate.json
  echo "  records: $out/records (R156 / ISO 24089 style; index.json signed by the targets key, verified)"
  sed -n '/^Cost:/,$p' records/summary.txt | sed 's/^/  /'
} >summary.txt
