#!/usr/bin/env bash
# run_case.sh CASE.sh OTA_DELTA MAKE_PAIR: runs CASE.sh in a fresh directory and
# compares its exit code and stderr with CASE.exit and CASE.stderr.exact.
set -uo pipefail
case_file=$1
export OTA_DELTA=$2 MAKE_PAIR=$3
base=${case_file%.sh}
work=$(mktemp -d /tmp/ota-cli.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
bash "$case_file" >stdout 2>stderr
code=$?
expected_code=$(cat "$base.exit")
status=0
if [ "$code" != "$expected_code" ]; then
  echo "FAIL: exit code $code, expected $expected_code" >&2
  status=1
fi
if [ -f "$base.stderr.exact" ] && ! diff -u "$base.stderr.exact" stderr >&2; then
  echo "FAIL: stderr differs from $(basename "$base").stderr.exact" >&2
  status=1
fi
# jq -e passes on empty input, so an empty stdout fails here explicitly.
if [ -f "$base.stdout.jq" ] && { [ ! -s stdout ] || ! jq -e -f "$base.stdout.jq" stdout >/dev/null; }; then
  echo "FAIL: stdout does not satisfy $(basename "$base").stdout.jq:" >&2
  cat stdout >&2
  status=1
fi
exit $status
