#!/usr/bin/env bash
# ci/demo.sh: the main job. Installs what is missing, builds, and runs the release
# pipeline on the bundled example firmware; everything lands in out/demo/.
# Today's pipeline (it grows with each tool): build every firmware release, make a
# delta from every earlier release to each later one with `ota-delta --algo auto`,
# apply each to its source, check the result byte for byte and by sha256; create a
# throwaway SoftHSM2 token with one key per role (keys-example/, example material),
# sign every image and patch with the targets key in the token, verify each signature
# with openssl; publish a TUF image repository (out/demo/repo/image/) with every image
# and its deltas, signed by the token's role keys, and verify it as a client would;
# sign every release as an MCUboot-format slot image with the image key in the token and
# build the example board's dual-bank factory flash image with v1 in slot A
# (out/demo/flash/), inspected as the bootloader would;
# check the signing audit log; write out/demo/report.json plus a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}

ci/deps.sh build demo
echo "== build" >&2
ci/build.sh release >/dev/null
delta=build/release/tools/ota-delta/ota-delta
keys=build/release/tools/ota-keys/ota-keys
sign=build/release/tools/ota-sign/ota-sign
manifest=build/release/tools/ota-manifest/ota-manifest
image=build/release/tools/ota-image/ota-image

out=out/demo
rm -rf "$out"
mkdir -p "$out/firmware" "$out/deltas" "$out/check" "$out/keys" "$out/signatures"
echo "== firmware" >&2
examples/firmware/build.sh "$out/firmware" >/dev/null
mapfile -t versions <"$out/firmware/versions.txt"

fw() { echo "$out/firmware/firmware-$1.bin"; }
firmware_json=$(for v in "${versions[@]}"; do
  jq -n --arg v "$v" --argjson size "$(stat -c %s "$(fw "$v")")" \
    --arg sha "$(sha256sum "$(fw "$v")" | cut -d' ' -f1)" '{version: $v, size: $size, sha256: $sha}'
done | jq -s .)

echo "== deltas" >&2
records=()
for ((i = 0; i < ${#versions[@]}; i++)); do
  for ((j = i + 1; j < ${#versions[@]}; j++)); do
    from=${versions[i]} to=${versions[j]}
    patch=$out/deltas/$from-$to.patch
    made=$("$delta" create --algo auto --from "$(fw "$from")" --to "$(fw "$to")" --out "$patch" --json)
    applied=$("$delta" apply --from "$(fw "$from")" --patch "$patch" --out "$out/check/$to-from-$from.bin" --json)
    cmp -s "$out/check/$to-from-$from.bin" "$(fw "$to")" ||
      { echo "demo: error: applying $patch did not rebuild $to" >&2; exit 1; }
    [[ $(jq -r .verified <<<"$applied") == true ]] ||
      { echo "demo: error: $patch was not verified on apply" >&2; exit 1; }
    records+=("$(jq -n --arg from "$from" --arg to "$to" --arg patch "deltas/$from-$to.patch" \
      --argjson made "$made" --argjson applied "$applied" '{
        from: $from, to: $to, patch: $patch, algorithm: $made.algorithm,
        patch_size: $made.patch_size, target_size: $made.target_size,
        ratio: ($made.patch_size / $made.target_size),
        candidates: [$made.candidates[] | {algorithm, patch_size}],
        applied_and_verified: $applied.verified, target_sha256: $applied.output_sha256}')")
  done
done
rm -rf "$out/check"

echo "== keys and signatures (SoftHSM2 token, example material)" >&2
hsm=$(mktemp -d /tmp/ota-demo-hsm.XXXXXX)
trap 'rm -rf "$hsm"' EXIT
eval "$(keys-example/softhsm-token.sh "$hsm/token" "$keys")"
key_records=()
for role in root targets snapshot timestamp director; do
  "$keys" public --key "pkcs11:token=$OTA_EXAMPLE_TOKEN;object=$role-1" --out "$out/keys/$role-1.json" >/dev/null 2>&1
  "$keys" public --key "pkcs11:token=$OTA_EXAMPLE_TOKEN;object=$role-1" --format pem >"$out/keys/$role-1.pem"
  key_records+=("$(jq --arg role "$role" '{role: $role, key_id: .keyid, keytype: .key.keytype, scheme: .key.scheme}' "$out/keys/$role-1.json")")
done
targets_key="pkcs11:token=$OTA_EXAMPLE_TOKEN;object=targets-1?pin-source=$OTA_EXAMPLE_PIN_SOURCE"
sig_records=()
for file in "$out"/firmware/*.bin "$out"/deltas/*.patch; do
  rel=${file#"$out/"}
  sig_file=$out/signatures/$(basename "$file").sig
  signed=$("$sign" --key "$targets_key" --role targets --in "$file" --out "$sig_file" \
    --audit-log "$out/signing-audit.log" --json)
  openssl dgst -sha256 -verify "$out/keys/targets-1.pem" -signature "$sig_file" "$file" >/dev/null ||
    { echo "demo: error: openssl does not verify the signature of $rel" >&2; exit 1; }
  sig_records+=("$(jq --arg file "$rel" --arg sig "signatures/$(basename "$sig_file")" \
    '{file: $file, signature: $sig, key_id, algorithm, sha256: .input_sha256, verified_by_openssl: true}' <<<"$signed")")
done

echo "== TUF image repository (role keys in the SoftHSM2 token)" >&2
pin="?pin-source=$OTA_EXAMPLE_PIN_SOURCE"
cat >"$hsm/repo.yaml" <<YAML
# Demo only: one token holds every role's key. Production: root and targets offline.
roles:
  root: {keys: ["pkcs11:token=$OTA_EXAMPLE_TOKEN;object=root-1$pin"], threshold: 1, expires_days: 365}
  targets: {keys: ["pkcs11:token=$OTA_EXAMPLE_TOKEN;object=targets-1$pin"], threshold: 1, expires_days: 90}
  snapshot: {keys: ["pkcs11:token=$OTA_EXAMPLE_TOKEN;object=snapshot-1$pin"], expires_days: 7}
  timestamp: {keys: ["pkcs11:token=$OTA_EXAMPLE_TOKEN;object=timestamp-1$pin"], expires_days: 1}
YAML
repo=$out/repo/image
mkdir -p "$out/repo"
"$manifest" --audit-log "$out/signing-audit.log" init --config "$hsm/repo.yaml" --repo "$repo" >/dev/null
# Every image with its deltas from each older version, staged by one release file (its
# paths are relative to its own directory, out/demo).
{
  echo "priority: bugfix"
  echo "targets:"
  for ((j = 0; j < ${#versions[@]}; j++)); do
    to=${versions[j]}
    echo "  - name: example/firmware-$to.bin"
    echo "    file: $(realpath --relative-to="$out" "$(fw "$to")")"
    echo "    version: \"$to\""
    echo "    hardware_ids: [example-board]"
    echo "    deltas: {$(for ((i = 0; i < j; i++)); do printf '%s"%s": %s' "$([ "$i" -gt 0 ] && echo ', ')" \
      "${versions[i]}" "deltas/${versions[i]}-$to.patch"; done)}"
  done
} >"$out/release.yaml"
"$manifest" add --repo "$repo" --release "$out/release.yaml" >/dev/null
published=$("$manifest" --audit-log "$out/signing-audit.log" publish --repo "$repo" --json)
latest=${versions[${#versions[@]}-1]}
verified=$("$manifest" verify --repo "$repo" --trusted-root "$repo/metadata/1.root.json" \
  --target "example/firmware-$latest.bin" --json)

echo "== Uptane director repository for one example vehicle" >&2
for role in root snapshot timestamp; do
  "$keys" generate --algo ecdsa-p256 --key "pkcs11:token=$OTA_EXAMPLE_TOKEN;object=director-$role-1$pin" >/dev/null 2>&1
done
cat >"$hsm/director.yaml" <<YAML
# Demo only: the director's own root and keys (director-1 signs its targets).
roles:
  root: {keys: ["pkcs11:token=$OTA_EXAMPLE_TOKEN;object=director-root-1$pin"], threshold: 1, expires_days: 365}
  targets: {keys: ["pkcs11:token=$OTA_EXAMPLE_TOKEN;object=director-1$pin"], threshold: 1, expires_days: 7}
  snapshot: {keys: ["pkcs11:token=$OTA_EXAMPLE_TOKEN;object=director-snapshot-1$pin"], expires_days: 7}
  timestamp: {keys: ["pkcs11:token=$OTA_EXAMPLE_TOKEN;object=director-timestamp-1$pin"], expires_days: 1}
YAML
director=$out/repo/director
"$manifest" --audit-log "$out/signing-audit.log" init --config "$hsm/director.yaml" --repo "$director" >/dev/null
# Two ECUs of one vehicle report different installed versions: each gets its own delta.
"$manifest" director --repo "$director" --image-repo "$repo" --image-root "$repo/metadata/1.root.json" \
  --vehicle EXAMPLE-VIN-0001 --ecu "ECU-0001=example-board:example/firmware-$latest.bin@${versions[0]}" \
  --ecu "ECU-0002=example-board:example/firmware-$latest.bin@${versions[1]}" >/dev/null
"$manifest" --audit-log "$out/signing-audit.log" publish --repo "$director" >/dev/null
director_verified=$("$manifest" verify --repo "$director" --trusted-root "$director/metadata/1.root.json" \
  --targets-from "$repo" --target "example/firmware-$latest.bin.from-${versions[0]}.patch" --json)
echo "== dual-bank flash image for the example board (image key in the SoftHSM2 token)" >&2
"$keys" generate --algo ecdsa-p256 --key "pkcs11:token=$OTA_EXAMPLE_TOKEN;object=image-1$pin" >/dev/null 2>&1
"$keys" public --key "pkcs11:token=$OTA_EXAMPLE_TOKEN;object=image-1" --format pem >"$out/keys/image-1.pem"
mkdir -p "$out/flash"
cp examples/example-board.layout.yaml "$out/flash/layout.yaml"
slot_records=()
for v in "${versions[@]}"; do
  slot=$out/flash/firmware-$v.slot
  made=$("$image" --json sign --key "pkcs11:token=$OTA_EXAMPLE_TOKEN;object=image-1$pin" \
    --audit-log "$out/signing-audit.log" --in "$(fw "$v")" --version "${v#v}" --hw-id example-board \
    --vendor example.com --security-counter auto --layout "$out/flash/layout.yaml" --slot a --out "$slot")
  checked=$("$image" --json verify "$slot" --trust "$out/keys/image-1.pem" --hw-id example-board --vendor example.com)
  slot_records+=("$(jq -n --arg file "flash/$(basename "$slot")" --argjson m "$made" --argjson c "$checked" \
    '{file: $file, version: $m.header.version, security_counter: $m.security_counter, size: $m.size,
      digest: $m.digest, verified: ($c.result == "OK")}')")
done
"$image" --json build --layout "$out/flash/layout.yaml" --trust "$out/keys/image-1.pem" \
  --slot-a "$out/flash/firmware-${versions[0]}.slot" --out "$out/flash/factory.img" >/dev/null
flash_info=$("$image" --json info "$out/flash/factory.img" --layout "$out/flash/layout.yaml")
[[ $(jq -r '.slots[0].verification.result' <<<"$flash_info") == OK && $(jq -r .layout_problem <<<"$flash_info") == null ]] ||
  { echo "demo: error: the factory image does not boot slot A as built" >&2; exit 1; }
audit=$("$keys" audit verify "$out/signing-audit.log" --json)

printf '%s\n' "${records[@]}" | jq -s --argjson firmware "$firmware_json" \
  --argjson keys "$(printf '%s\n' "${key_records[@]}" | jq -s .)" \
  --argjson signatures "$(printf '%s\n' "${sig_records[@]}" | jq -s .)" \
  --argjson audit "$(jq '{log: "signing-audit.log", records, head_sha256}' <<<"$audit")" \
  --argjson repository "$(jq -n --argjson p "$published" --argjson v "$verified" \
      '{path: "repo/image", versions: $p.versions, targets: $p.targets,
        verified_target: {name: $v.target.name, sha256: $v.target.sha256, deltas: ($v.target.custom.deltas | keys)}}')" \
  --argjson director "$(jq '{path: "repo/director", vehicle: .target.custom.vehicle, verified_target: .target.name,
        ecus: (.target.custom.ecu_identifiers | keys)}' <<<"$director_verified")" \
  --argjson slot_images "$(printf '%s\n' "${slot_records[@]}" | jq -s .)" \
  --argjson flash "$(jq '{path: "flash/factory.img", layout: "flash/layout.yaml", size: .layout.size,
        slot_a: {result: .slots[0].verification.result, version: .slots[0].image.header.version},
        slot_b_empty: .slots[1].empty, anti_rollback_counter: .root_of_trust.counter,
        boot_control: {seq: .boot_control.record.seq, active: .boot_control.record.active_slot,
                       slot_a: .boot_control.record.slots[0].state, slot_b: .boot_control.record.slots[1].state}}' <<<"$flash_info")" \
  '{tool_version: "'"$("$delta" --version | cut -d' ' -f2)"'", firmware: $firmware, deltas: .,
    keys: $keys, signatures: $signatures, audit: $audit, repository: $repository, director: $director,
    slot_images: $slot_images, flash: $flash}' \
  >"$out/report.json.tmp"
mv "$out/report.json.tmp" "$out/report.json"
/usr/bin/python3 tests/schemas/validate.py schemas/demo-report.schema.json "$out/report.json"

jq -r '"ota-toolchain demo: \(.firmware | length) firmware releases, \(.deltas | length) deltas, all applied and verified by sha256",
  "  from     to       algorithm   patch bytes   of full image   (candidates: bsdiff / zstd / vcdiff / ota)",
  (.deltas[] | "  \(.from)   \(.to)   \(.algorithm | . + " " * (10 - length))  \(.patch_size | tostring | " " * (11 - length) + .)   \(.ratio * 1000 | round / 10 | tostring + "%" | " " * (13 - length) + .)   (\([.candidates[].patch_size | tostring] | join(" / ")))"),
  "signed: \(.signatures | length) files with the targets key \(.keys[] | select(.role == "targets") | .key_id[0:16])… in a SoftHSM2 token; openssl verified each; audit log: \(.audit.records) records, chain intact",
  "TUF image repository: \(.repository.path) — targets v\(.repository.versions.targets), \(.repository.targets) targets (images and deltas); verified as a client: \(.repository.verified_target.name) with deltas from \(.repository.verified_target.deltas | join(", "))",
  "Uptane director: \(.director.path) for \(.director.vehicle): \(.director.verified_target) assigned to \(.director.ecus | join(", ")), verified with images from the image repository",
  "flash: \(.flash.path) for the example board — slot A \(.flash.slot_a.version) \(.flash.slot_a.result) and \(.flash.boot_control.slot_a), slot B \(if .flash.slot_b_empty then "empty" else "full" end), anti-rollback counter \(.flash.anti_rollback_counter); \(.slot_images | length) signed slot images (MCUboot format), each verified",
  "outputs: out/demo/report.json, out/demo/flash/, out/demo/release.yaml, out/demo/repo/image/, out/demo/repo/director/, out/demo/deltas/, out/demo/firmware/, out/demo/signatures/, out/demo/keys/, out/demo/signing-audit.log"' "$out/report.json"
