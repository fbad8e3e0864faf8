#!/bin/bash
# build-root.sh SUITE: a Debian build root of SUITE (trixie: Debian 13) in
# the cache, made by mmdebstrap from this machine's own Debian mirror, with
# what building a kernel module takes (the suite's own gcc, make, kmod,
# pahole for BTF, dkms); print its path. Modules for a kernel whose headers
# were made by a newer compiler than this machine's (Debian's 7.3: gcc-14)
# are built in it, the way a user of that Debian release builds them
# (scripts/kernels/in-root.sh). Cached: the root is made once per package list.
. "$(dirname "$0")/../lib.sh"

suite=${1:-}
case "$suite" in
trixie) ;;
*) die "usage: build-root.sh trixie (no build root for '$suite')" ;;
esac
need mmdebstrap
pkgs=gcc,gcc-14,make,libc6-dev,libelf-dev,bc,bison,flex,kmod,dwarves,dkms,xz-utils,zstd
key=$(echo "$suite $pkgs" | sha256sum | cut -c1-12)
dest=$HX_CACHE/roots/$suite-$key
if [ -x "$dest/usr/bin/gcc-14" ]; then
	echo "$dest"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || die "making a build root takes root (mmdebstrap --mode=root)"
uri=$(hx_debian_mirror)
keyring=$(hx_debian_keyring)
mkdir -p "$HX_CACHE/roots"
tmp=$HX_CACHE/roots/.tmp-$suite-$key
rm -rf "$tmp"
stage "mmdebstrap $suite ($pkgs)"
if ! mmdebstrap --mode=root --variant=minbase --include="$pkgs" \
	--keyring="$keyring" "$suite" "$tmp" "deb $uri $suite main" \
	>"$tmp.log" 2>&1; then
	rm -rf "$tmp"
	die "mmdebstrap $suite failed: $(tail -1 "$tmp.log")"
fi
publish "$tmp" "$dest"
rm -f "$tmp.log"
echo "$dest"
