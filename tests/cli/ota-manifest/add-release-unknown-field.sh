. "$(dirname "$0")/../manifest_setup.sh"; make_repo
before=$(cat repo/staged-targets.json)
printf 'targets:\n  - {name: a.bin, file: fw.bin, hardware_ids: [hw], versoin: "2"}\n' > rel.yaml
"$OTA_MANIFEST" add --repo repo --release rel.yaml
code=$?
[ "$before" = "$(cat repo/staged-targets.json)" ] || echo "staging file changed" >&2
exit $code
