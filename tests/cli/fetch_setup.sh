# Sourced by tests/cli/ota-fetch/*.sh: a repository made by ota-manifest (./repo, one
# target ecu/fw.bin; manifest_setup.sh) served on loopback by tests/cli/repo_server.py.
. "$(dirname "${BASH_SOURCE[0]}")/manifest_setup.sh"
export no_proxy=127.0.0.1 NO_PROXY=127.0.0.1
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY
# serve DIR [repo_server.py options]: sets URL; requests are logged to server.log.
serve() {
  python3 "$REPO_SERVER" "$1" --log server.log "${@:2}" > server.out 2> server.err &
  SERVER_PID=$!
  trap 'kill $SERVER_PID 2>/dev/null' EXIT
  for _ in $(seq 200); do grep -q '^PORT ' server.out 2>/dev/null && break; sleep 0.05; done
  URL="http://127.0.0.1:$(sed -n 's/^PORT //p' server.out)"
}
# fetch ARGS...: ota-fetch on ./md against the served repository.
fetch() { "$OTA_FETCH" --metadata-dir md --metadata-url "$URL/metadata/" "$@"; }
download() { fetch --target-base-url "$URL/targets/" --target-dir tg "$@" download; }
