. "$(dirname "$0")/../manifest_setup.sh"; make_repo
SOURCE_DATE_EPOCH=$(( $(date +%s) + 3 * 86400 )) "$OTA_MANIFEST" verify --repo repo --trusted-root repo/metadata/1.root.json 2>err
rc=$?; sed -E "s/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/TIME/" err >&2; exit $rc
