# Two source versions: a close one gets a delta, an unrelated one the full image.
mkdir in
"$MAKE_PAIR" structured 200000 1 in/v1 in/v2 >/dev/null
"$MAKE_PAIR" random 200000 9 in/other in/unused >/dev/null
"$OTA_DELTA" release --to in/v2 --from 1.0=in/v1 --from 0.5=in/other --out-dir rel --jobs 2 --json >out.json
cat out.json
# Every published file is listed with its real size and digest, and nothing else is there.
[ "$(ls rel | sort | tr '\n' ' ')" = "index.json v2.from-1.0.$(jq -r '.index.sources[0].patch.file | split(".") | last' out.json) v2.xz " ] || echo "unexpected files: $(ls rel)" >&2
for f in $(jq -r '.index.sources[].patch.file // empty, .index.full_image.file' out.json); do
  [ "$(sha256sum "rel/$f" | cut -d' ' -f1)" = "$(jq -r --arg f "$f" '[.index.sources[].patch, .index.full_image] | map(select(. != null and .file == $f))[0].sha256' out.json)" ] || echo "digest of $f differs" >&2
done
# The delta rebuilds the target; the full image decompresses with xz.
"$OTA_DELTA" apply --from in/v1 --patch "rel/$(jq -r '.index.sources[0].patch.file' out.json)" --out rebuilt 2>/dev/null
cmp rebuilt in/v2 >&2
xz -dc rel/v2.xz | cmp - in/v2 >&2
cmp <(jq -S .index out.json) <(jq -S . rel/index.json) >&2
