#!/usr/bin/env bash
# ci/test.sh: installs what is missing, builds the sanitizer and release configurations,
# runs every test once with ctest, then fuzzes each decoder. Exits non-zero on any failure.
# OTA_FUZZ_SECONDS (default 20) bounds each fuzzer.
#
# Every test runs in the ASan+UBSan build, which checks strictly more, except those
# labelled release-only (interop with the peer programs, the large and whole-release power-cut
# sweeps, faketime): they run in the optimised build, which builds only what they need
# (target release_only_deps), so no unit test is compiled or run twice.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

ci/deps.sh build test demo
passed=0
for config in asan release; do
  echo "== build $config" >&2
  if [[ $config == asan ]]; then
    ci/build.sh asan
    select=(-LE release-only)
  else
    ci/build.sh release release_only_deps
    select=(-L release-only)
  fi
  echo "== test $config" >&2
  (cd "build/$config" && ctest -j "$(nproc)" --output-on-failure --timeout 900 "${select[@]}") | tee "build/$config/ctest.log"
  count=$(sed -n 's/^100% tests passed, 0 tests failed out of \([0-9]*\)$/\1/p' "build/$config/ctest.log")
  [[ -n $count ]] || { echo "ci/test.sh: could not read the test count of $config" >&2; exit 1; }
  passed=$((passed + count))
done
echo "== fuzz" >&2
ci/build.sh fuzz
ci/fuzz.sh "${OTA_FUZZ_SECONDS:-20}"
passed=$((passed + 9))  # one per fuzz target that ran clean
echo "ci/test.sh: all passed in $((SECONDS - start)) s" >&2
echo "ci/test.sh: $passed passed, 0 failed"
