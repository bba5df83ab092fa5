. "$(dirname "$0")/../fetch_setup.sh"
# A repository made by tuf-on-ci 0.11 (the conformance suite's static_data, kept with its
# provenance in tests/data/PROVENANCE.md): ECDSA keys with x-tuf-on-ci-* fields, a
# terminating delegation to "delegatedrole", an empty signature beside a valid one. At the
# suite's fixed time it must be accepted end to end.
data=$(cd "$(dirname "$0")/../../data/tuf-on-ci-0.11" && pwd)
serve "$data"
at() { faketime '2025-02-09 09:17:23' "$@"; }
at "$OTA_FETCH" --metadata-dir md init "$data/initial_root.json" || exit 9
at "$OTA_FETCH" --metadata-dir md --metadata-url "$URL/metadata/" refresh || exit 9
at "$OTA_FETCH" --metadata-dir md --metadata-url "$URL/metadata/" --target-base-url "$URL/targets/" \
  --target-dir tg --target-name delegatedrole/artifact download --json > out.json || exit 9
cmp tg/delegatedrole%2Fartifact "$data/targets/delegatedrole/45f337ee451b4c098d121d09cc224bacc7794503ac58a47a78cfe7ebefb7fab3.artifact" || exit 9
[ "$(ls -A md | tr '\n' ' ')" = "delegatedrole.json root.json snapshot.json targets.json timestamp.json " ] || { ls -A md >&2; exit 9; }
cat out.json
