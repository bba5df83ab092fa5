# An inventory row whose hardware id has no image: one line naming file, line and field;
# nothing written.
source "$CLI_DIR/release_setup.sh"
release_setup
sed -i '4s/tcu-revB/tcu-revZ/' rel/fleet.csv
"$OTA_RELEASE" plan --config rel/release.yaml --out plan
code=$?
[ ! -e plan ] || exit 90
exit $code
