#!/usr/bin/env bash
# ci/test.sh: installs what is missing, builds the release and sanitizer
# configurations, runs every test in both with ctest, then fuzzes each decoder.
# Exits non-zero on any failure. OTA_FUZZ_SECONDS (default 30) bounds each fuzzer.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

ci/deps.sh build test demo
for config in release asan; do
  echo "== build $config" >&2
  ci/build.sh "$config"
  echo "== test $config" >&2
  (cd "build/$config" && ctest -j "$(nproc)" --output-on-failure --timeout 900)
done
echo "== fuzz" >&2
ci/build.sh fuzz
ci/fuzz.sh "${OTA_FUZZ_SECONDS:-30}"
echo "ci/test.sh: all passed in $((SECONDS - start)) s" >&2
