#!/usr/bin/env bash
# Builds every release of the example firmware into OUT_DIR:
#
#   OUT_DIR/firmware-vX.Y.Z.bin   static, stripped ELF executable per release
#   OUT_DIR/versions.txt          release names in order, one per line
#
# Release v1.0.0 is src/ as checked in; each later release is src/ with
# patches/*.patch applied cumulatively in version order. The output is
# byte-for-byte reproducible for a given toolchain, whatever OUT_DIR is.
#
# With --broken it also builds the deliberately broken release that the demo
# rolls back: broken/vX.Y.Z.patch on top of the last release, whose self-test
# fails (the binary exits 1). It is not a release and not in versions.txt:
#
#   OUT_DIR/firmware-vX.Y.Z-broken.bin
#   OUT_DIR/broken.txt            its release name (vX.Y.Z), one line
#
# Requires: gcc (with static libc, Debian: libc6-dev) and patch.
set -euo pipefail
export LC_ALL=C # stable glob/sort order

die() {
    printf 'build.sh: error: %s\n' "$*" >&2
    exit 1
}

BROKEN=0
if [ "${1-}" = --broken ]; then
    BROKEN=1
    shift
fi
if [ $# -ne 1 ] || [ -z "$1" ]; then
    printf 'usage: %s [--broken] OUT_DIR\n' "$0" >&2
    exit 2
fi

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
BASE_VERSION=v1.0.0
CC=${CC:-gcc}

command -v "$CC" >/dev/null 2>&1 || die "compiler '$CC' not found (install gcc and libc6-dev)"
command -v patch >/dev/null 2>&1 || die "'patch' not found (install patch)"
[ -d "$HERE/src" ] || die "source tree $HERE/src is missing"

OUT=$(realpath -m -- "$1")
case "$OUT/" in
"$HERE"/*) die "OUT_DIR must be outside $HERE (the example sources are never written to)" ;;
esac
mkdir -p -- "$OUT" 2>/dev/null || die "cannot create output directory '$1'"

# Releases after the base, in version order (sort -V: v1.10.0 after v1.9.0).
PATCHES=()
if [ -d "$HERE/patches" ]; then
    while IFS= read -r p; do
        PATCHES+=("$p")
    done < <(find "$HERE/patches" -maxdepth 1 -name 'v*.patch' -printf '%f\n' | sort -V)
fi

WORK=$(mktemp -d "$OUT/.firmware-build.XXXXXX") || die "cannot create a temporary directory in $OUT"
trap 'rm -rf -- "$WORK"' EXIT
mkdir "$WORK/tree"
cp -R -- "$HERE/src" "$WORK/tree/src" || die "cannot copy $HERE/src"
cd "$WORK/tree"

# Reproducibility: relative source paths plus -ffile-prefix-map keep the
# build directory out of the objects, -frandom-seed fixes the per-file
# random names, and there is no build id, debug info or symbol table.
CFLAGS=(-std=c11 -O2 -Wall -Wextra "-ffile-prefix-map=$WORK/tree=.")
LDFLAGS=(-static -s "-Wl,--build-id=none")

# compile VERSION: builds the tree in the current directory into obj/firmware.
compile() {
    local ver=$1 src obj

    rm -rf obj
    mkdir obj
    for src in src/*.c; do
        obj="obj/$(basename "$src" .c).o"
        "$CC" "${CFLAGS[@]}" -frandom-seed="$src" -c "$src" -o "$obj" ||
            die "$ver: compiling $src failed"
    done
    "$CC" "${LDFLAGS[@]}" -o obj/firmware obj/*.o || die "$ver: linking failed"
}

build_release() {
    local ver=$1 dest="$OUT/firmware-$1.bin" output rc

    compile "$ver"

    # Smoke check: the self-test must pass and report this release.
    output=$(./obj/firmware 2>&1) || {
        rc=$?
        die "$ver: self-test exited with status $rc: $output"
    }
    [[ $output == *" $ver self-test PASS"* ]] || die "$ver: unexpected self-test output: $output"

    cp -- obj/firmware "$dest" || die "$ver: cannot write $dest"
    printf '%s\n' "$output"
}

# build_broken VERSION DEST: like build_release, but the self-test must fail:
# exit status 1 and a FAIL line naming VERSION.
build_broken() {
    local ver=$1 dest=$2 output rc=0

    compile "$ver"
    output=$(./obj/firmware 2>&1) || rc=$?
    [ "$rc" -eq 1 ] && [[ $output == *" $ver self-test FAIL"* ]] ||
        die "$ver (broken): its self-test should fail with status 1, got status $rc: $output"
    cp -- obj/firmware "$dest" || die "$ver (broken): cannot write $dest"
    printf '%s (exit %d, as intended)\n' "$output" "$rc"
}

VERSIONS=("$BASE_VERSION")
build_release "$BASE_VERSION"
for p in "${PATCHES[@]}"; do
    ver=${p%.patch}
    patch -p1 --quiet --batch --forward --fuzz=0 --no-backup-if-mismatch \
        <"$HERE/patches/$p" || die "patches/$p does not apply cleanly on top of ${VERSIONS[-1]}"
    build_release "$ver"
    VERSIONS+=("$ver")
done

printf '%s\n' "${VERSIONS[@]}" >"$WORK/versions.txt"
mv -f -- "$WORK/versions.txt" "$OUT/versions.txt"

BROKEN_FILE=
if [ "$BROKEN" = 1 ]; then
    broken=$(find "$HERE/broken" -maxdepth 1 -name 'v*.patch' -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)
    [ -n "$broken" ] || die "no broken/v*.patch in $HERE"
    bver=${broken%.patch}
    patch -p1 --quiet --batch --forward --fuzz=0 --no-backup-if-mismatch \
        <"$HERE/broken/$broken" || die "broken/$broken does not apply cleanly on top of ${VERSIONS[-1]}"
    BROKEN_FILE="$OUT/firmware-$bver-broken.bin"
    build_broken "$bver" "$BROKEN_FILE"
    printf '%s\n' "$bver" >"$WORK/broken.txt"
    mv -f -- "$WORK/broken.txt" "$OUT/broken.txt"
fi

# Summary; successive releases must differ or the deltas would be trivial.
prev=
for ver in "${VERSIONS[@]}"; do
    f="$OUT/firmware-$ver.bin"
    if [ -n "$prev" ]; then
        ! cmp -s -- "$prev" "$f" || die "firmware-$ver.bin is identical to $(basename "$prev")"
        ndiff=$( { cmp -l -- "$prev" "$f" 2>/dev/null || true; } | wc -l)
        printf '%-26s %8d bytes  (%d bytes differ from previous)\n' "$(basename "$f")" "$(stat -c %s "$f")" "$ndiff"
    else
        printf '%-26s %8d bytes\n' "$(basename "$f")" "$(stat -c %s "$f")"
    fi
    prev=$f
done
if [ -n "$BROKEN_FILE" ]; then
    printf '%-26s %8d bytes  (self-test fails: not a release)\n' "$(basename "$BROKEN_FILE")" "$(stat -c %s "$BROKEN_FILE")"
fi
printf 'wrote %d releases to %s\n' "${#VERSIONS[@]}" "$OUT"
