. "$(dirname "$0")/../manifest_setup.sh"; make_repo
"$OTA_MANIFEST" init --config repo.yaml --repo repo
