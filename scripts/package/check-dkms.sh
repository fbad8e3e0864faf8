#!/bin/bash
# check-dkms.sh DEBIAN_KERNEL_DIR: the module's own build, the ways a user
# or a distro runs it, against a Debian stock kernel's headers (from
# fetch-stock.sh), in a copy of the files a user gets (dkms.conf and what
# the Debian package installs, by debian/dma-buf-sgt-cache-dkms.install):
#   kbuild   make -C KDIR M=DIR, with HOME and the harness's variables unset
#            (a DKMS autoinstall from a service), then the Makefile's make
#            KDIR=, which must rebuild nothing; make modules_install into a
#            staging root
#   dkms     add, build, install, remove, all inside a sandbox
#            (--dkmstree/--sourcetree/--installtree), never touching the
#            host's /lib/modules; the installed module's vermagic
# One "result:" line each.
. "$(dirname "$0")/../lib.sh"

deb=${1:-}
[ -f "$deb/build/Makefile" ] || die "usage: check-dkms.sh DIR (from fetch-stock.sh)"
need dkms modinfo
kver=$(basename "$(readlink -f "$deb")")
kdir=$(readlink -f "$deb/build")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$HX_ROOT/dkms.conf")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
copy_module() { # DIR: the module's files as a user gets them
	local f
	mkdir -p "$1"
	cp "$HX_ROOT/dkms.conf" "$1/"
	while read -r f _; do
		cp -r "$HX_ROOT/$f" "$1/"
	done <"$HX_ROOT/debian/dma-buf-sgt-cache-dkms.install"
}

# kbuild: the command every kernel developer types, from a clean copy
src=$tmp/kbuild
copy_module "$src"
plain=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin)
if ! "${plain[@]}" make -C "$kdir" M="$src" modules >"$tmp/kbuild.log" 2>&1; then
	echo "result: FAIL kbuild-$kver -- make -C KDIR M=DIR: $(grep -m1 -iE 'error' "$tmp/kbuild.log" || tail -1 "$tmp/kbuild.log")"
elif ! "${plain[@]}" make -C "$src" KDIR="$kdir" >"$tmp/kbuild2.log" 2>&1 ||
	grep -qE '^ +(CC|LD) ' "$tmp/kbuild2.log"; then
	echo "result: FAIL kbuild-$kver -- a second make rebuilt: $(grep -m1 -E '^ +(CC|LD) ' "$tmp/kbuild2.log")"
elif ! make -C "$src" KDIR="$kdir" INSTALL_MOD_PATH="$tmp/root" modules_install \
	>"$tmp/install.log" 2>&1; then
	echo "result: FAIL kbuild-$kver -- make modules_install: $(tail -1 "$tmp/install.log")"
else
	ko=$(find "$tmp/root/lib/modules/$kver" -name 'dma-buf-sgt-cache.ko*' | head -1)
	if [ -n "$ko" ] && grep -qx '#define DMA_BUF_SGT_CACHE_IN_CORE 0' "$src/conftest.h"; then
		echo "result: PASS kbuild-$kver -- make -C KDIR M=DIR without HOME, then make KDIR= rebuilt nothing, modules_install: ${ko#"$tmp/root"}"
	else
		echo "result: FAIL kbuild-$kver -- no module installed (${ko:-none}) or a wrong conftest.h: $(tr '\n' ' ' <"$src/conftest.h")"
	fi
fi

# dkms, in its sandbox
src=$tmp/src/dma-buf-sgt-cache-$ver
copy_module "$src"
mkdir -p "$tmp/dkms" "$tmp/install/$kver"
sandbox=(--dkmstree "$tmp/dkms" --sourcetree "$tmp/src" --installtree "$tmp/install")
mod=(-m dma-buf-sgt-cache -v "$ver")
for step in add build install remove; do
	args=("${sandbox[@]}" "$step" "${mod[@]}")
	[ "$step" = add ] || args+=(-k "$kver" --kernelsourcedir "$deb/build")
	[ "$step" = add ] || [ "$step" = build ] || args+=(--no-depmod)
	if ! dkms "${args[@]}" >"$tmp/$step.log" 2>&1; then
		echo "result: FAIL dkms-$kver -- dkms $step: $(grep -m1 -i error "$tmp/$step.log" || tail -1 "$tmp/$step.log")"
		exit 0
	fi
	if [ "$step" = install ]; then
		ko=$(find "$tmp/install/$kver" -name 'dma-buf-sgt-cache.ko*' | head -1)
		magic=$( [ -n "$ko" ] && modinfo -F vermagic "$ko" | cut -d' ' -f1)
	fi
done
left=$(find "$tmp/install/$kver" -name 'dma-buf-sgt-cache.ko*' | head -1)
if [ "$magic" != "$kver" ]; then
	echo "result: FAIL dkms-$kver -- installed module ${ko:-missing}, vermagic '${magic}'"
elif [ -n "$left" ]; then
	echo "result: FAIL dkms-$kver -- dkms remove left $left"
else
	echo "result: PASS dkms-$kver -- add, build, install (vermagic $magic), remove"
fi
