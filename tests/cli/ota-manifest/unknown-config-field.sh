. "$(dirname "$0")/../manifest_setup.sh"; make_repo
printf "roles:\n  root: {keys: [file:keys/root.pem], colour: red}\n" > bad.yaml
"$OTA_MANIFEST" init --config bad.yaml --repo repo2; rc=$?; [ ! -e repo2 ] || echo "repo2 created" >&2; exit $rc
