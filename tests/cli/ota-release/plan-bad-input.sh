# Schema violations and missing files: one line naming file, line and field; nothing written.
source "$CLI_DIR/release_setup.sh"
release_setup
cp rel/release.yaml good.yaml
try() { "$OTA_RELEASE" plan --config rel/release.yaml --out plan; echo "exit $?" >&2; [ ! -e plan ] || echo "WROTE plan" >&2; cp good.yaml rel/release.yaml; }
sed -i 's/percent: 25}/percent: 250}/' rel/release.yaml; try
sed -i 's/percent: 25}/percent: 4}/' rel/release.yaml; try
sed -i 's/^inventory: fleet.csv/inventory: fleet.csv\ncolour: red/' rel/release.yaml; try
mv rel/old/revA-2.2.1.bin keep.bin; try; mv keep.bin rel/old/revA-2.2.1.bin
mv rel/fleet.csv keep.csv; try; mv keep.csv rel/fleet.csv
"$OTA_RELEASE" plan --config rel/release.yaml --out rel; echo "exit $?" >&2
"$OTA_RELEASE" plan --config rel/release.yaml; echo "exit $?" >&2
exit 0
