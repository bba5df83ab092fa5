# Sourced by tests/cli/ota-release/*.sh (cwd: the case's fresh directory): a release of two
# hardware classes with sources, a 5,000-vehicle fleet (4 regions, versions by VIN), and
# release.yaml in rel/. Needs $MAKE_PAIR.
release_setup() {
  mkdir -p rel/old rel/build
  "$MAKE_PAIR" structured 65536 11 rel/old/revA-2.3.0.bin rel/build/revA-2.4.0.bin
  "$MAKE_PAIR" structured 65536 12 rel/old/revA-2.2.1.bin rel/old/unused.bin
  "$MAKE_PAIR" structured 49152 13 rel/old/revB-2.3.0.bin rel/build/revB-2.4.0.bin
  awk 'BEGIN {
    print "vin,ecu_serial,hardware_id,installed_version,region";
    split("EU NA APAC SA", region, " ");
    for (i = 0; i < 5000; i++) {
      hw = i % 3 == 2 ? "tcu-revB" : "tcu-revA";
      v = i % 250 == 0 ? "2.4.0" : i % 5 == 0 ? "2.2.1" : "2.3.0";
      printf "WVW%014d,E%06d,%s,%s,%s\n", i, i, hw, v, region[i % 4 + 1];
    }
  }' >rel/fleet.csv
  cat >rel/release.yaml <<'YAML'
release: {id: tcu-2.4.0, version: 2.4.0}
images:
  - hardware_id: tcu-revA
    file: build/revA-2.4.0.bin
    sources: {2.3.0: old/revA-2.3.0.bin, 2.2.1: old/revA-2.2.1.bin}
  - hardware_id: tcu-revB
    file: build/revB-2.4.0.bin
    sources: {2.3.0: old/revB-2.3.0.bin}
YAML
  release_campaign_yaml >>rel/release.yaml
}

# The issue's simulation fleet: 200,000 vehicles, 4 regions x 3 hardware revisions, one
# ECU each, mostly on 2.3.0 (delta) and every 7th on 2.2.1 (no source: full image); rel/.
release_fleet_200k() {
  mkdir -p rel/old rel/build
  local seed=21
  for r in A B C; do
    "$MAKE_PAIR" structured 65536 $((seed++)) rel/old/rev$r-2.3.0.bin rel/build/rev$r-2.4.0.bin
  done
  awk 'BEGIN {
    print "vin,ecu_serial,hardware_id,installed_version,region";
    split("EU NA APAC SA", rg, " "); split("A B C", hw, " ");
    for (i = 0; i < 200000; i++)
      printf "VF%015d,E%07d,tcu-rev%s,%s,%s\n", i, i, hw[int(i / 4) % 3 + 1], i % 7 == 0 ? "2.2.1" : "2.3.0", rg[i % 4 + 1];
  }' >rel/fleet.csv
  cat >rel/release.yaml <<'YAML'
release: {id: tcu-2.4.0, version: 2.4.0}
images:
  - {hardware_id: tcu-revA, file: build/revA-2.4.0.bin, sources: {2.3.0: old/revA-2.3.0.bin}}
  - {hardware_id: tcu-revB, file: build/revB-2.4.0.bin, sources: {2.3.0: old/revB-2.3.0.bin}}
  - {hardware_id: tcu-revC, file: build/revC-2.4.0.bin, sources: {2.3.0: old/revC-2.3.0.bin}}
YAML
  release_campaign_yaml >>rel/release.yaml
}

# Ed25519 file keys and rel/repo.yaml for the image repository merge publishes into.
release_keys() {
  mkdir -p rel/keys
  for k in root targets snapshot timestamp; do "$OTA_KEYS" generate --algo ed25519 --key "file:rel/keys/$k.pem" 2>/dev/null; done
  cat >rel/repo.yaml <<'YAML'
roles:
  root: {keys: [file:keys/root.pem], threshold: 1}
  targets: {keys: [file:keys/targets.pem], threshold: 1}
  snapshot: {keys: [file:keys/snapshot.pem]}
  timestamp: {keys: [file:keys/timestamp.pem]}
YAML
}

# Everything of the issue's example release.yaml after `images:` (inventory, campaign, cost...).
release_campaign_yaml() {
  cat <<'YAML'
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
repository: {config: repo.yaml}
YAML
}
