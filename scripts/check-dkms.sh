#!/bin/bash
# check-dkms.sh DEBIAN_KERNEL_DIR: dkms add, build and install the module
# for a Debian stock kernel (from fetch-stock.sh), all inside a sandbox
# (--dkmstree/--sourcetree/--installtree), never touching the host's
# /lib/modules; then check the installed module's vermagic.
. "$(dirname "$0")/lib.sh"

deb=${1:-}
[ -f "$deb/build/Makefile" ] || die "usage: check-dkms.sh DIR (from fetch-stock.sh)"
need dkms modinfo
kver=$(basename "$(readlink -f "$deb")")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$HX_ROOT/dkms.conf")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src/dma-buf-sgt-cache-$ver
mkdir -p "$src/scripts" "$tmp/dkms" "$tmp/install/$kver"
cp -r "$HX_ROOT"/{dkms.conf,Makefile,Kbuild,dma-buf-sgt-cache.c,include} "$src/"
cp "$HX_ROOT"/scripts/{conftest.sh,lib.sh} "$src/scripts/"
sandbox=(--dkmstree "$tmp/dkms" --sourcetree "$tmp/src" --installtree "$tmp/install")
mod=(-m dma-buf-sgt-cache -v "$ver")

for step in add build install; do
	args=("${sandbox[@]}" "$step" "${mod[@]}")
	[ "$step" = add ] || args+=(-k "$kver" --kernelsourcedir "$deb/build")
	[ "$step" != install ] || args+=(--no-depmod)
	if ! dkms "${args[@]}" >"$tmp/$step.log" 2>&1; then
		echo "result: FAIL dkms-$kver -- dkms $step: $(grep -m1 -i error "$tmp/$step.log" || tail -1 "$tmp/$step.log")"
		exit 0
	fi
done
ko=$(find "$tmp/install/$kver" -name 'dma-buf-sgt-cache.ko*' | head -1)
magic=$( [ -n "$ko" ] && modinfo -F vermagic "$ko" | cut -d' ' -f1)
if [ "$magic" = "$kver" ]; then
	echo "result: PASS dkms-$kver -- add, build, install; vermagic $magic"
else
	echo "result: FAIL dkms-$kver -- installed module ${ko:-missing}, vermagic '${magic}'"
fi
