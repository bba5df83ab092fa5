# Both repositories over HTTP from a loopback server that honours Range requests (206), and
# one that ignores them (200 with the whole file): the full image arrives in ranged chunks
# either way, over a faulty link.
source "$(dirname "$0")/../verify_setup.sh"
make_release || exit 99
cp flash.img factory.img
serve() {  # serve RANGES(1|0) PORTFILE LOG
  python3 -c '
import functools, http.server, os, re, sys
ranges, portfile, log = sys.argv[1] == "1", sys.argv[2], sys.argv[3]
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        m = re.fullmatch(r"bytes=(\d+)-(\d+)", self.headers.get("Range", ""))
        path = self.translate_path(self.path)
        if not (ranges and m and os.path.isfile(path)):
            open(log, "a").write("200 " + self.path + "\n")
            return super().do_GET()
        data = open(path, "rb").read()
        a, b = int(m[1]), int(m[2])
        if a >= len(data):
            self.send_error(416); return
        part = data[a:b + 1]
        self.send_response(206)
        self.send_header("Content-Range", "bytes %d-%d/%d" % (a, a + len(part) - 1, len(data)))
        self.send_header("Content-Length", str(len(part)))
        self.end_headers()
        self.wfile.write(part)
        open(log, "a").write("206 " + self.path + "\n")
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(H, directory="."))
open(portfile + ".tmp", "w").write(str(s.server_address[1])); os.rename(portfile + ".tmp", portfile)
s.serve_forever()' "$@" &
}
serve 1 port1 ranged.log; s1=$!
serve 0 port0 plain.log; s0=$!
trap 'kill $s1 $s0 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s port1 ] && [ -s port0 ] && break; sleep 0.05; done
for kind in 1 0; do
  url="http://127.0.0.1:$(cat port$kind)"
  cp factory.img flash.img
  "$OTA_VERIFY" e2e --flash flash.img --device device.yaml --repo "$url/repo" --director "$url/director/" \
    --trusted-root repo/metadata/1.root.json --director-root director/metadata/1.root.json \
    --full --faults seed=9,drop=0.1,truncate=0.1 --json > "run$kind.json" || { cat "run$kind.json" >&2; exit 1; }
done
# Ranged chunks really were served as 206 by the first server; the second sliced 200s.
[ "$(grep -c '^206 /repo/targets/fw/' ranged.log)" -ge 17 ] || { echo "too few range answers" >&2; cat ranged.log >&2; exit 1; }
! grep -q '^206' plain.log || exit 1
jq -s '{ranged: .[0].final_state, plain: .[1].final_state, chunks: (.[0].bytes.image / 4096 | ceil), downloaded: [.[].bytes.downloaded]}' run1.json run0.json
