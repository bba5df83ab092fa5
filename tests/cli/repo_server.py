#!/usr/bin/env python3
"""A loopback HTTP server of a repository directory, for HttpSource and CLI tests.

Usage: repo_server.py DIR [--log FILE] [--ranges on|off] [--control FILE]
                          [--protocol 1.0|1.1] [--tls CERT KEY]

Listens on 127.0.0.1 at a free port and prints "PORT N" as its first stdout line. Exits
when its parent process dies. Python 3 standard library only.

- --tls CERT KEY: https instead of http (PEM files).
- GET only; any other method is answered 405.
- --log FILE: one line appended per request, "GET PATH STATUS RANGE": PATH exactly as
  received (still percent-encoded), RANGE the Range header or "-". The line is written
  before the body, so a client that has its answer finds the line.
- --ranges on (default): a single "bytes=A-" or "bytes=A-B" range is answered 206 with
  Content-Range, or 416 with "Content-Range: bytes */LEN" when A >= LEN; any other Range
  header is ignored. --ranges off: always 200 with the whole file.
- Mapping a request to a file: the path (before any '?') is split at '/', and each raw
  segment is percent-decoded on its own, so an encoded "%2F" stays inside one name. Each
  decoded segment is then written as an on-disk name with '%' as "%25", '/' as "%2F" and
  NUL as "%00", and a segment that is exactly "." or ".." as "%2E" or "%2E%2E". Plain
  names map to themselves; the role "1./delegatedrole.json" (requested as
  "1.%2Fdelegatedrole.json") is the file "1.%2Fdelegatedrole.json"; a target segment
  ".." (requested as "%2E%2E" or "..") is a file or directory named "%2E%2E". No request
  can name a file outside DIR, and a symlink resolving outside DIR is refused (404).
  DIR itself may be a symlink that a test moves: it is resolved on every request.
- --control FILE: JSON, re-read on every request (missing: no faults), mapping a raw
  request path (as in the log) to one fault:
    {"status": N}             answer with that status
    {"redirect_to": "URL"}    302 (or "status" if given) with Location: URL
    {"drop_after_bytes": N}   the normal headers (full Content-Length), N body bytes,
                              then the connection is closed
    {"endless": true}         200 without Content-Length, bytes until the client leaves
    {"stall_seconds": S}      wait S seconds, then answer normally (or with the others)
"""

import argparse
import http.server
import json
import os
import re
import sys
import threading
import time
import urllib.parse

# Taken first thing: a parent that dies during start-up still shows as a changed ppid.
PARENT = os.getppid()


def disk_name(segment: bytes) -> str:
    if segment in (b".", b".."):
        return "%2E" * len(segment)
    out = segment.replace(b"%", b"%25").replace(b"/", b"%2F").replace(b"\0", b"%00")
    return os.fsdecode(out)


def parse_args():
    p = argparse.ArgumentParser(description="loopback repository server for tests")
    p.add_argument("root")
    p.add_argument("--log")
    p.add_argument("--ranges", choices=["on", "off"], default="on")
    p.add_argument("--control")
    p.add_argument("--protocol", choices=["1.0", "1.1"], default="1.0")
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve https with this certificate and key")
    return p.parse_args()


ARGS = parse_args()
LOG_LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/" + ARGS.protocol
    def version_string(self):
        return "repo_server"

    def log_message(self, *args):
        pass

    def log_request_line(self, status):
        if not ARGS.log:
            return
        with LOG_LOCK, open(ARGS.log, "a", encoding="utf-8", errors="surrogateescape") as f:
            f.write("%s %s %d %s\n" % (self.command, self.path, status, self.headers.get("Range", "-")))

    def answer_status(self, status, headers=()):
        self.log_request_line(status)
        body = ("%d\n" % status).encode()
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def refuse(self):
        self.answer_status(405, [("Allow", "GET")])

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = refuse

    def control(self):
        if not ARGS.control:
            return {}
        try:
            with open(ARGS.control, encoding="utf-8") as f:
                return json.load(f).get(self.path, {})
        except FileNotFoundError:
            return {}

    def find_file(self):
        root = os.path.realpath(ARGS.root)
        raw = self.path.split("?", 1)[0]
        parts = [disk_name(urllib.parse.unquote_to_bytes(s)) for s in raw.split("/") if s]
        path = os.path.realpath(os.path.join(root, *parts)) if parts else root
        if os.path.commonpath([root, path]) != root or not os.path.isfile(path):
            return None
        return path

    def do_GET(self):
        try:
            fault = self.control()
        except (OSError, ValueError) as e:
            print("repo_server: bad control file: %s" % e, file=sys.stderr, flush=True)
            return self.answer_status(500)
        if "stall_seconds" in fault:
            time.sleep(float(fault["stall_seconds"]))
        if "redirect_to" in fault:
            return self.answer_status(int(fault.get("status", 302)), [("Location", fault["redirect_to"])])
        if "status" in fault:
            return self.answer_status(int(fault["status"]))
        if fault.get("endless"):
            return self.endless()
        path = self.find_file()
        if path is None:
            return self.answer_status(404)
        with open(path, "rb") as f:
            data = f.read()
        status, headers = 200, []
        m = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        if ARGS.ranges == "on" and m:
            first = int(m[1])
            last = int(m[2]) if m[2] else len(data) - 1
            if first >= len(data):
                return self.answer_status(416, [("Content-Range", "bytes */%d" % len(data))])
            if last >= first:
                last = min(last, len(data) - 1)
                headers = [("Content-Range", "bytes %d-%d/%d" % (first, last, len(data)))]
                status, data = 206, data[first:last + 1]
        self.log_request_line(status)
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if "drop_after_bytes" in fault:
            self.wfile.write(data[:int(fault["drop_after_bytes"])])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.wfile.write(data)

    def endless(self):
        self.log_request_line(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        chunk = b"x" * 65536
        try:
            while True:
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass


def exit_with_parent():
    while os.getppid() == PARENT:
        time.sleep(0.2)
    os._exit(0)


def main():
    if not os.path.isdir(ARGS.root):
        sys.exit("repo_server: '%s' is not a directory" % ARGS.root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if ARGS.tls:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(ARGS.tls[0], ARGS.tls[1])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=exit_with_parent, daemon=True).start()
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
