# shellcheck shell=bash
# tuf-js as an independent TUF client for the interop tests. Source it from bash:
#
#   source "$SRC/tests/interop/tufjs_lib.sh"
#   tufjs_install "$BUILD_DIR/tufjs"          # npm ci of the pinned lock, once; sets TUFJS_DIR
#   serve_start "$REPO"                       # loopback HTTP server; sets SERVE_URL SERVE_PID SERVE_LOG
#   trap 'serve_stop; rm -rf "$WORK"' EXIT
#   out=$(tufjs_refresh_download "$SERVE_URL/metadata" "$SERVE_URL/targets" root.json \
#           "$WORK/cache" fw.bin "$WORK/fw.bin") && rc=0 || rc=$?
#
# Safe under `set -euo pipefail`: every function returns a status instead of exiting,
# and uses only its own `local` variables besides the ones it documents as set.
#
# Needs node >= 20.17 and npm (tuf-js 5.0.1's engines), python3 (the HTTP server),
# flock and sha256sum. The packages are pinned by tests/interop/node/package-lock.json
# and installed with `npm ci --ignore-scripts` into the directory given, never into the
# source tree.

TUFJS_NODE_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/node" && pwd -P)

# tufjs_install DIR: DIR gets package.json + package-lock.json from tests/interop/node and
# `npm ci` is run there when DIR/node_modules is missing or the lock changed (sha256 of
# both files kept in DIR/.tufjs-lock.sha256). Quiet unless npm fails, when npm's output
# goes to stderr. Serialised by flock on DIR/.tufjs-install.lock, so tests running in
# parallel share one install. Sets and exports TUFJS_DIR=DIR (absolute).
tufjs_install() {
  local dir=${1:-}
  if [ -z "$dir" ]; then echo "tufjs_install: usage: tufjs_install DIR" >&2; return 2; fi
  local tool
  for tool in node npm python3 flock sha256sum realpath; do
    command -v "$tool" >/dev/null || { echo "tufjs_install: $tool is not installed" >&2; return 1; }
  done
  local major minor
  IFS=. read -r major minor _ <<<"$(node -p 'process.versions.node')"
  if [ "$major" -lt 20 ] || { [ "$major" = 20 ] && [ "$minor" -lt 17 ]; }; then
    echo "tufjs_install: tuf-js 5.0.1 needs node >= 20.17, this is $(node --version)" >&2
    return 1
  fi
  dir=$(realpath -m -- "$dir") || return 1
  case "$dir/" in
    "$TUFJS_NODE_SRC/"*) echo "tufjs_install: refusing to install inside the source tree ($dir)" >&2; return 2 ;;
  esac
  mkdir -p "$dir" || return 1
  local want rc=0
  want=$(cat "$TUFJS_NODE_SRC/package.json" "$TUFJS_NODE_SRC/package-lock.json" | sha256sum) || return 1
  want=${want%% *}
  (
    flock 9 || exit 1
    if [ -d "$dir/node_modules" ] && [ "$(cat "$dir/.tufjs-lock.sha256" 2>/dev/null)" = "$want" ]; then
      exit 0
    fi
    rm -f "$dir/.tufjs-lock.sha256"
    cp "$TUFJS_NODE_SRC/package.json" "$TUFJS_NODE_SRC/package-lock.json" "$dir/" || exit 1
    if ! (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) \
          >"$dir/npm-ci.log" 2>&1; then
      echo "tufjs_install: npm ci failed in $dir:" >&2
      cat "$dir/npm-ci.log" >&2
      exit 1
    fi
    echo "$want" >"$dir/.tufjs-lock.sha256"
  ) 9>"$dir/.tufjs-install.lock" || rc=$?
  [ "$rc" = 0 ] || return "$rc"
  TUFJS_DIR=$dir
  export TUFJS_DIR
}

# The static file server: GET/HEAD only, files under ROOT, 404 for anything missing,
# never writes under ROOT. Binds 127.0.0.1 on a port the kernel picks and prints it as
# "PORT N" on stdout. One line per request "METHOD PATH STATUS" to the log file, so a
# test can assert which files a client fetched. It exits by itself when the shell that
# started it is gone (SIGKILLed tests leave no server behind) or after SERVE_MAX_SECONDS
# (default 3600).
_TUFJS_SERVE_PY='
import functools, http.server, os, sys, threading, time
root, log_path, max_seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
parent = os.getppid()
log = open(log_path, "a", buffering=1)
class Handler(http.server.SimpleHTTPRequestHandler):
    def log_request(self, code="-", size="-"):
        code = getattr(code, "value", code)
        log.write("%s %s %s\n" % (self.command, self.path, code))
    def log_message(self, *args):
        pass
    def list_directory(self, path):
        self.send_error(404, "File not found")
        return None
class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
server = Server(("127.0.0.1", 0), functools.partial(Handler, directory=root))
def watchdog():
    start = time.monotonic()
    while os.getppid() == parent and time.monotonic() - start < max_seconds:
        time.sleep(0.5)
    os._exit(0)
threading.Thread(target=watchdog, daemon=True).start()
print("PORT %d" % server.server_address[1], flush=True)
server.serve_forever()
'

# serve_start DIR: serves DIR on http://127.0.0.1:PORT and waits until it answers.
# Sets SERVE_URL, SERVE_PID and SERVE_LOG (the request log, "GET /metadata/2.root.json
# 404" lines). To run two servers, copy the three variables after each call and stop
# each with serve_stop PID.
serve_start() {
  local dir=${1:-}
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then echo "serve_start: '$dir' is not a directory" >&2; return 2; fi
  dir=$(cd "$dir" && pwd) || return 1
  local tmp=${TMPDIR:-/tmp} state pid port="" i line=""
  state=$(mktemp -d "$tmp/tufjs-serve.XXXXXX") || return 1
  : >"$state/stdout"
  python3 -u -c "$_TUFJS_SERVE_PY" "$dir" "$state/requests.log" "${SERVE_MAX_SECONDS:-3600}" \
    >"$state/stdout" 2>"$state/stderr" </dev/null &
  pid=$!
  for ((i = 0; i < 100; i++)); do
    if read -r line 2>/dev/null <"$state/stdout" && [ "${line%% *}" = PORT ]; then
      port=${line#PORT }
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  # The server has opened its log: give its state a name serve_stop can find by pid.
  rm -rf "$tmp/tufjs-serve-pid.$pid"
  mv "$state" "$tmp/tufjs-serve-pid.$pid" || { serve_stop "$pid"; rm -rf "$state"; return 1; }
  state=$tmp/tufjs-serve-pid.$pid
  if [ -z "$port" ]; then
    echo "serve_start: the server did not start: $(cat "$state/stderr" 2>/dev/null)" >&2
    serve_stop "$pid"
    return 1
  fi
  # It listens once it has printed its port; make sure it answers HTTP too.
  for ((i = 0; i < 50; i++)); do
    line=$( { exec 8<>"/dev/tcp/127.0.0.1/$port" &&
              printf 'HEAD / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&8 &&
              read -r -t 5 l <&8 && printf '%s' "$l"; } 2>/dev/null ) || true
    case "$line" in HTTP/*) break ;; esac
    sleep 0.1
  done
  case "$line" in
    HTTP/*) ;;
    *) echo "serve_start: 127.0.0.1:$port does not answer HTTP" >&2; serve_stop "$pid"; return 1 ;;
  esac
  : >"$state/requests.log"   # forget the probe
  SERVE_PID=$pid
  SERVE_URL=http://127.0.0.1:$port
  SERVE_LOG=$state/requests.log
  export SERVE_URL SERVE_PID SERVE_LOG
}

# serve_stop [PID]: stops the server serve_start started (default $SERVE_PID) and removes
# its log. Safe to call twice, from a trap, or when nothing was started; always returns 0.
serve_stop() {
  local pid=${1:-${SERVE_PID:-}}
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "${TMPDIR:-/tmp}/tufjs-serve-pid.$pid"
  if [ "$pid" = "${SERVE_PID:-}" ]; then
    SERVE_PID="" SERVE_URL="" SERVE_LOG=""
  fi
  return 0
}

# tufjs_refresh_download METADATA_URL TARGETS_URL TRUSTED_ROOT_JSON CACHE_DIR TARGET_NAME OUT_FILE [OPTION...]
# Runs tests/interop/node/tufjs_client.mjs (refresh, then getTargetInfo and
# downloadTarget); its one JSON line goes to stdout, its exit status is returned
# (0 verified and downloaded, 1 rejected, 2 a mistake in the call). Extra OPTIONs are
# passed on (e.g. --reference-time 2030-01-01T00:00:00Z).
tufjs_refresh_download() {
  if [ "$#" -lt 6 ]; then
    echo "tufjs_refresh_download: usage: METADATA_URL TARGETS_URL TRUSTED_ROOT_JSON CACHE_DIR TARGET_NAME OUT_FILE" >&2
    return 2
  fi
  if [ -z "${TUFJS_DIR:-}" ]; then echo "tufjs_refresh_download: run tufjs_install first" >&2; return 2; fi
  local rc=0
  node "$TUFJS_NODE_SRC/tufjs_client.mjs" --metadata-url "$1" --targets-url "$2" --root "$3" \
    --dir "$4" --target "$5" --out "$6" "${@:7}" || rc=$?
  return "$rc"
}

# tufjs_refresh METADATA_URL TRUSTED_ROOT_JSON CACHE_DIR [OPTION...]: the client's
# --refresh-only mode (root chain, timestamp, snapshot, top-level targets; no target),
# for attacks on metadata. Prints {"ok":true,...,"versions":{...}} or the error line.
tufjs_refresh() {
  if [ "$#" -lt 3 ]; then
    echo "tufjs_refresh: usage: METADATA_URL TRUSTED_ROOT_JSON CACHE_DIR" >&2
    return 2
  fi
  if [ -z "${TUFJS_DIR:-}" ]; then echo "tufjs_refresh: run tufjs_install first" >&2; return 2; fi
  local rc=0
  node "$TUFJS_NODE_SRC/tufjs_client.mjs" --refresh-only --metadata-url "$1" --root "$2" \
    --dir "$3" "${@:4}" || rc=$?
  return "$rc"
}

# tufjs_canonicalize FILE.json: @tufjs/canonical-json's bytes for FILE on stdout.
tufjs_canonicalize() {
  if [ -z "${TUFJS_DIR:-}" ]; then echo "tufjs_canonicalize: run tufjs_install first" >&2; return 2; fi
  local rc=0
  node "$TUFJS_NODE_SRC/canonicalize.mjs" "$1" || rc=$?
  return "$rc"
}
