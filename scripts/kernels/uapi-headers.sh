#!/bin/bash
# uapi-headers.sh VER: install the UAPI headers of Debian's linux-source-VER
# (make headers_install) into the cache and print their include directory.
# The guest programs and the upstream kselftests compile against them.
. "$(dirname "$0")/../lib.sh"

ver=${1:-}
check_version "$ver"
src=$("$HX_ROOT/scripts/kernels/fetch-source.sh" "$ver")
out=$HX_CACHE/uapi/$(basename "$src")
if [ ! -f "$out/include/linux/dma-buf.h" ]; then
	need make gcc
	mkdir -p "$HX_CACHE/uapi"
	tmp=$(mktemp -d "$HX_CACHE/uapi/.tmp.XXXXXX")
	stage "install the UAPI headers of $(basename "$src")"
	make -s -C "$src" O="$tmp/build" headers_install INSTALL_HDR_PATH="$tmp/hdr" \
		>"$tmp/log" 2>&1 || die "headers_install failed in $src; see $tmp/log"
	publish "$tmp/hdr" "$out"
	rm -rf "$tmp"
fi
echo "$out/include"
