#!/usr/bin/env bash
# ci/deps.sh SET...: installs the Debian 12 packages a job needs, only if missing.
# Sets: build (compilers, libraries), test (peer programs, fuzzing), demo, bench.
# Runs as root, or through sudo; never prompts (DEBIAN_FRONTEND=noninteractive).
set -euo pipefail

declare -A sets=(
  [build]="build-essential cmake ninja-build pkg-config ccache libcli11-dev libzstd-dev
           libdivsufsort-dev libbz2-dev liblzma-dev nlohmann-json3-dev libyaml-cpp-dev
           libssl-dev libp11-kit-dev libcurl4-openssl-dev libgtest-dev zlib1g-dev"
  [test]="bsdiff xdelta3 zstd jq clang libclang-rt-14-dev python3-jsonschema
          softhsm2 p11-kit opensc gnutls-bin openssl npm python3-yaml faketime rsync git"
  [demo]="gcc libc6-dev patch jq python3-jsonschema softhsm2 p11-kit openssl faketime npm rsync git"
  [bench]="bsdiff xdelta3 zstd jq time npm softhsm2 p11-kit opensc openssl bc"
)

wanted=()
for set in "$@"; do
  [[ -n ${sets[$set]:-} ]] || { echo "ci/deps.sh: unknown set '$set' (build, test, demo, bench)" >&2; exit 2; }
  read -r -a pkgs <<<"$(echo ${sets[$set]})"
  wanted+=("${pkgs[@]}")
done

missing=()
for pkg in "${wanted[@]}"; do
  # Node.js often comes from NodeSource, whose nodejs package carries npm: a working
  # npm command is enough (installing Debian's npm over it would conflict).
  if [[ $pkg == npm ]] && command -v npm >/dev/null && command -v node >/dev/null; then continue; fi
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "ci/deps.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo -n)
fi
echo "ci/deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
