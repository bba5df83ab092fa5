. "$(dirname "$0")/../manifest_setup.sh"; make_repo
printf 'vehicles:\n  - {vin: VIN-A}\n' > fleet.yaml
"$OTA_MANIFEST" director --fleet fleet.yaml --fleet-dir directors --image-repo repo --image-root repo/metadata/1.root.json
