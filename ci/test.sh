#!/usr/bin/env bash
# ci/test.sh: installs what is missing, builds the release and sanitizer
# configurations, runs every test in both with ctest, then fuzzes each decoder.
# Exits non-zero on any failure. OTA_FUZZ_SECONDS (default 20) bounds each fuzzer.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

ci/deps.sh build test demo
passed=0
for config in release asan; do
  echo "== build $config" >&2
  ci/build.sh "$config"
  echo "== test $config" >&2
  # The tuf-js differential test (label release-only) runs once: under ASan the same
  # attacks are covered by client_tests, and the npm client is not ours to sanitize.
  exclude=(); [[ $config == asan ]] && exclude=(-LE release-only)
  (cd "build/$config" && ctest -j "$(nproc)" --output-on-failure --timeout 900 "${exclude[@]}") | tee "build/$config/ctest.log"
  count=$(sed -n 's/^100% tests passed, 0 tests failed out of \([0-9]*\)$/\1/p' "build/$config/ctest.log")
  [[ -n $count ]] || { echo "ci/test.sh: could not read the test count of $config" >&2; exit 1; }
  passed=$((passed + count))
done
echo "== fuzz" >&2
ci/build.sh fuzz
ci/fuzz.sh "${OTA_FUZZ_SECONDS:-20}"
passed=$((passed + 8))  # one per fuzz target that ran clean
echo "ci/test.sh: all passed in $((SECONDS - start)) s" >&2
echo "ci/test.sh: $passed passed, 0 failed"
