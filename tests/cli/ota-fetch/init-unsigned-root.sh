. "$(dirname "$0")/../fetch_setup.sh"; make_repo
# The initial root must be signed by its own root keys (spec 5.2): one hex digit changed.
sed 's/"sig":"\(.\)/"sig":"X\1/; s/"sig":"X0/"sig":"1/; s/"sig":"X[1-9a-f]/"sig":"0/' repo/metadata/1.root.json > root.json
cmp -s root.json repo/metadata/1.root.json && exit 9
"$OTA_FETCH" --metadata-dir md init root.json --json > out.json
code=$?
[ ! -e md/root.json ] || { echo "an unverified root was stored" >&2; exit 9; }
jq -e '.error.step == "init" and .error.code == "rejected" and .error.exit_code == 1' out.json >/dev/null || exit 9
exit $code
