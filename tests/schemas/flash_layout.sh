#!/usr/bin/env bash
# Every examples/*.layout.yaml, read as python3-yaml reads it (hex -> integers, 64KiB stays a
# string), validates against schemas/flash-layout.schema.json; a document with an unknown
# field and one with a bad size string do not.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
schema="$here/../../schemas/flash-layout.schema.json"
examples="$here/../../examples"
validate="/usr/bin/python3 $here/validate.py"
work=$(mktemp -d /tmp/ota-schema.XXXXXX)
trap 'rm -rf "$work"' EXIT

to_json() {
  /usr/bin/python3 -c 'import json,sys,yaml; json.dump(yaml.safe_load(open(sys.argv[1])), open(sys.argv[2],"w"))' \
    "$1" "$2"
}

count=0
for yaml in "$examples"/*.layout.yaml; do
  json="$work/$(basename "$yaml" .yaml).json"
  to_json "$yaml" "$json"
  $validate "$schema" "$json"
  count=$((count + 1))
done
if [ "$count" -lt 3 ]; then
  echo "FAIL: expected at least 3 examples/*.layout.yaml, found $count" >&2; exit 1
fi

# A valid base, then one defect each: the validator must pass the base and fail the others.
cat > "$work/base.yaml" <<'YAML'
device: {name: t, hardware_id: hw, size: 64K, sector_size: 4K, write_size: 4}
regions:
  - {name: bootloader, offset: 0x0, size: 4K}
  - {name: rot, offset: 0x1000, size: 4K}
  - {name: bcr0, offset: 0x2000, size: 4K}
  - {name: bcr1, offset: 0x3000, size: 4K}
  - {name: slot_a, offset: 0x4000, size: 24K}
  - {name: slot_b, offset: 0xa000, size: 24K}
YAML
sed 's/write_size: 4}/write_size: 4, sector: 4K}/' "$work/base.yaml" > "$work/unknown-field.yaml"
sed 's/size: 64K,/size: 1.5MiB,/' "$work/base.yaml" > "$work/bad-size.yaml"
# Both a device geometry and a flash list (F1): one or the other.
sed 's/write_size: 4}/write_size: 4, flashes: [{name: a, size: 64K, sector_size: 4K, write_size: 4}]}/' \
  "$work/base.yaml" > "$work/geometry-and-flashes.yaml"
sed 's/bcr1, offset/bcr1, flash: "no space", offset/' "$work/base.yaml" > "$work/bad-flash-name.yaml"
for doc in base unknown-field bad-size geometry-and-flashes bad-flash-name; do
  cmp -s "$work/base.yaml" "$work/$doc.yaml" && [ "$doc" != base ] && { echo "FAIL: $doc: sed changed nothing" >&2; exit 1; }
  to_json "$work/$doc.yaml" "$work/$doc.json"
done
$validate "$schema" "$work/base.json"
for doc in unknown-field bad-size geometry-and-flashes bad-flash-name; do
  if $validate "$schema" "$work/$doc.json" 2>/dev/null; then
    echo "FAIL: $doc.yaml passed validation" >&2; exit 1
  fi
done
echo "schemas: $count flash layouts valid, 4 broken ones rejected"
