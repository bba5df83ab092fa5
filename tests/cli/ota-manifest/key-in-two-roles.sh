. "$(dirname "$0")/../manifest_setup.sh"; make_repo
sed "s|file:keys/snapshot.pem|file:keys/timestamp.pem|" repo.yaml > two.yaml
"$OTA_MANIFEST" init --config two.yaml --repo repo2 2>err; rc=$?; sed -E "s/key [0-9a-f]{12}/key K/" err >&2; [ ! -e repo2/metadata/1.root.json ] || echo "root written" >&2; exit $rc
