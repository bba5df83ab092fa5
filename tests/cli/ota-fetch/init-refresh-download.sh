. "$(dirname "$0")/../fetch_setup.sh"; make_repo; serve repo
"$OTA_FETCH" --metadata-dir md init repo/metadata/1.root.json || exit 1
[ "$(ls -A md)" = root.json ] || { echo "after init: $(ls -A md)" >&2; exit 1; }
[ ! -s server.log ] || { echo "init used the network" >&2; exit 1; }
fetch refresh || exit 1
# The trusted metadata, byte for byte as served, under plain role names, and nothing else.
[ "$(ls -A md | tr '\n' ' ')" = "root.json snapshot.json targets.json timestamp.json " ] || { ls -A md >&2; exit 1; }
cmp md/root.json repo/metadata/1.root.json && cmp md/timestamp.json repo/metadata/timestamp.json || exit 1
cmp md/snapshot.json repo/metadata/2.snapshot.json && cmp md/targets.json repo/metadata/2.targets.json || exit 1
[ "$(cut -d' ' -f1-3 server.log | tr '\n' ' ')" = "GET /metadata/2.root.json 404 GET /metadata/timestamp.json 200 GET /metadata/2.snapshot.json 200 GET /metadata/2.targets.json 200 " ] ||
  { cat server.log >&2; exit 1; }
# download refreshes first: with nothing new, only the next root and the timestamp are asked
# for; the target is stored under one flat, quoted name.
: > server.log
download --target-name ecu/fw.bin --json > first.json || exit 1
cmp tg/ecu%2Ffw.bin fw.bin || exit 1
sha=$(sha256sum fw.bin | cut -d' ' -f1)
[ "$(cut -d' ' -f2 server.log | tr '\n' ' ')" = "/metadata/2.root.json /metadata/timestamp.json /targets/ecu/$sha.fw.bin " ] ||
  { cat server.log >&2; exit 1; }
# A target already present with matching hashes is not downloaded again.
: > server.log
download --target-name ecu/fw.bin --json > second.json || exit 1
! grep -q /targets/ server.log || { cat server.log >&2; exit 1; }
jq -e '.targets[0].downloaded == false' second.json >/dev/null || exit 1
# Other bytes under its name are replaced by the verified target.
printf 'stale' > tg/ecu%2Ffw.bin
download --target-name ecu/fw.bin 2>/dev/null || exit 1
cmp tg/ecu%2Ffw.bin fw.bin || exit 1
[ "$(ls -A tg | tr '\n' ' ')" = ".ota-fetch ecu%2Ffw.bin " ] || { ls -A tg >&2; exit 1; }
cat first.json
