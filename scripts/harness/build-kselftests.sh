#!/bin/bash
# build-kselftests.sh VER OUT: build the upstream dma-buf kselftests of
# Debian's linux-source-VER (tools/testing/selftests: dmabuf-heaps and
# drivers/dma-buf, i.e. udmabuf) statically, install them with their own
# runner (run_kselftest.sh) into OUT/selftests-VER and print that path.
. "$(dirname "$0")/../lib.sh"

ver=${1:-} out=${2:-}
check_version "$ver"
[ -n "$out" ] || die "usage: build-kselftests.sh VER OUT"
need make gcc rsync
src=$("$HX_ROOT/scripts/kernels/fetch-source.sh" "$ver")
uapi=$("$HX_ROOT/scripts/kernels/uapi-headers.sh" "$ver")
dest=$out/selftests-$ver
if [ "$(cat "$dest/.source" 2>/dev/null)" = "$src" ]; then
	echo "$dest"
	exit 0
fi
mkdir -p "$out"
tmp=$(mktemp -d "$out/.kselftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# O= keeps the pristine source untouched; CFLAGS replaces the Makefiles'
# own (which only add -static and the headers; 7.3's tests include
# kselftest.h from the selftests directory, which lib.mk would add).
make -C "$src/tools/testing/selftests" O="$tmp/build" \
	TARGETS="dmabuf-heaps drivers/dma-buf" KHDR_INCLUDES="-isystem $uapi" \
	CFLAGS="-static -O2 -Wall -isystem $uapi -I$src/tools/testing/selftests" \
	install INSTALL_PATH="$tmp/selftests-$ver" >"$tmp/log" 2>&1 ||
	die "building the $ver kselftests failed: $(grep -m1 -i error "$tmp/log")"
[ -x "$tmp/selftests-$ver/run_kselftest.sh" ] || die "no run_kselftest.sh installed"
echo "$src" >"$tmp/selftests-$ver/.source"
publish "$tmp/selftests-$ver" "$dest"
echo "$dest"
