# build in 1 and in 3 shards, merge each: the two repositories are byte-identical, and the
# client verifies a target with its deltas. Shard outputs are the same bytes on a rerun
# (result JSON apart from the measured seconds). merge refuses a missing shard, a result
# built from another source, and two different results of one item, writing nothing.
source "$CLI_DIR/release_setup.sh"
release_setup
release_keys
export SOURCE_DATE_EPOCH=1764000000
"$OTA_RELEASE" plan --config rel/release.yaml --out plan 2>/dev/null || exit 10
"$OTA_RELEASE" build --plan plan --shard 0/1 --out one/shard-0 2>/dev/null || exit 11
for i in 0 1 2; do "$OTA_RELEASE" build --plan plan --shard $i/3 --out three/shard-$i 2>/dev/null || exit 12; done
[ "$(ls one/shard-0 | wc -l)" = 16 ] || exit 13  # 3 deltas, their 3 reverses, 2 full images; each with its JSON
[ "$(cat three/shard-*/*.json | jq -s length)" = 8 ] || exit 14
[ "$(cat three/shard-*/*.json | jq -s '[.[] | select(.kind == "rollback")] | length')" = 3 ] || exit 34
"$OTA_RELEASE" build --plan plan --shard 1/3 --out again 2>/dev/null || exit 15
for f in three/shard-1/*; do
  case $f in
    *.json) [ "$(jq -S 'del(.seconds)' "$f")" = "$(jq -S 'del(.seconds)' "again/${f##*/}")" ] || exit 16 ;;
    *) cmp -s "$f" "again/${f##*/}" || exit 17 ;;
  esac
done
"$OTA_RELEASE" merge --plan plan --results one/shard-0 --repo repo1 --json >merge1.json 2>/dev/null || exit 18
"$OTA_RELEASE" merge --plan plan --results three/shard-0 three/shard-1 three/shard-2 --repo repo3 2>/dev/null || exit 19
diff -r repo1/metadata repo3/metadata >/dev/null && diff -r repo1/targets repo3/targets >/dev/null || exit 20  # what is published
jq -e '.created and (.targets | length) == 2 and (.rollback_targets | length) == 3 and .usd > 0 and .usd <= .estimated_usd' merge1.json >/dev/null || exit 21
"$OTA_MANIFEST" verify --repo repo1 --trusted-root repo1/metadata/1.root.json --target tcu-revA/revA-2.4.0.bin \
  --out fw.bin 2>/dev/null || exit 22
cmp -s fw.bin rel/build/revA-2.4.0.bin || exit 23
# the way back is published too: the previous image, with the reverse delta from 2.4.0
"$OTA_MANIFEST" verify --repo repo1 --trusted-root repo1/metadata/1.root.json --target tcu-revA/revA-2.3.0.bin \
  --out back.bin 2>/dev/null || exit 35
cmp -s back.bin rel/old/revA-2.3.0.bin || exit 36
jq -e '.signed.targets | has("tcu-revA/revA-2.3.0.bin.from-2.4.0.patch")' repo1/metadata/2.targets.json >/dev/null || exit 37
# Refusals: each names what is wrong; no repository appears.
"$OTA_RELEASE" merge --plan plan --results three/shard-0 three/shard-1 --repo bad; echo "exit $?" >&2
cp -r three wrong
f=$(grep -l '"kind": "delta"' wrong/shard-*/*.json | head -1)
jq '.source_sha256 = "'"$(printf '0%.0s' $(seq 64))"'"' "$f" >t && mv t "$f"
"$OTA_RELEASE" merge --plan plan --results wrong/shard-* --repo bad 2>&1 | sed 's#wrong/shard-[0-9]/[0-9a-f_]*\.json#RESULT#' >&2; echo "exit ${PIPESTATUS[0]}" >&2
cp -r three dup
g=$(grep -l '"kind": "full"' dup/shard-*/*.json | head -1)
mkdir dup/extra && cp "$g" dup/extra/ && jq '.sha256 = "'"$(printf '1%.0s' $(seq 64))"'"' "$g" >dup/extra/${g##*/}
"$OTA_RELEASE" merge --plan plan --results dup/shard-* dup/extra --repo bad 2>&1 | sed 's#dup/shard-[0-9]#SHARD#; s#[0-9a-f]\{64\}#ITEM#' >&2; echo "exit ${PIPESTATUS[0]}" >&2
cp -r three evil
e=$(grep -l '"kind": "delta"' evil/shard-*/*.json | head -1)
jq '.file = "../../rel/build/revA-2.4.0.bin"' "$e" >t && mv t "$e"
"$OTA_RELEASE" merge --plan plan --results evil/shard-* --repo bad 2>&1 | sed 's#evil/shard-[0-9]/[0-9a-f_]*\.json#RESULT#; s#[0-9a-f]\{64\}_[0-9a-f]\{64\}#ITEM#' >&2; echo "exit ${PIPESTATUS[0]}" >&2
[ ! -e bad ] || exit 24
exit 0
