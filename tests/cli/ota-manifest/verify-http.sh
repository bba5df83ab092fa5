. "$(dirname "$0")/../manifest_setup.sh"; make_repo
# A loopback-only static server; the port comes from the kernel.
python3 -c '
import http.server, functools, sys, os
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory="repo")
h.func.log_message = lambda *a: None
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
open("port.tmp", "w").write(str(s.server_address[1])); os.rename("port.tmp", "port")
s.serve_forever()' &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s port ] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat port)"
"$OTA_MANIFEST" verify --repo "$url" --trusted-root repo/metadata/1.root.json --state st --target ecu/fw.bin \
  --out got.bin --json > ok.json || exit 1
cmp got.bin fw.bin || exit 1
# A tampered target on the server is refused over HTTP as on disk.
sha=$(jq -r '.target.sha256' ok.json)
printf 'evil image!!!!' > "repo/targets/ecu/$sha.fw.bin"
"$OTA_MANIFEST" verify --repo "$url/" --trusted-root repo/metadata/1.root.json --target ecu/fw.bin --out bad.bin 2> bad.err
code=$?
[ "$code" = 3 ] || { echo "tampered: exit $code" >&2; exit 1; }
[ ! -e bad.bin ] || exit 1
grep -q "does not match its signed sha256" bad.err || { cat bad.err >&2; exit 1; }
# Nothing listens here: a one-line error, exit 4.
"$OTA_MANIFEST" verify --repo "http://127.0.0.1:1" --trusted-root repo/metadata/1.root.json 2> down.err
code=$?
[ "$code" = 4 ] && [ "$(wc -l < down.err)" = 1 ] || { echo "unreachable: exit $code" >&2; cat down.err >&2; exit 1; }
grep -q "^ota-manifest: error: fetching 2.root.json: 'http://127.0.0.1:1/metadata/2.root.json': " down.err ||
  { cat down.err >&2; exit 1; }
cat ok.json
