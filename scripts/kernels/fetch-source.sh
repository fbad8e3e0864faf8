#!/bin/bash
# fetch-source.sh VER: unpack Debian's pristine linux-source-VER into the
# cache (read-only, never modified) and print its path.
. "$(dirname "$0")/../lib.sh"

ver=${1:-}
pkg=linux-source-$ver
if [ "$ver" = 7.3 ]; then
	# Debian 13's backports: downloaded through a private apt configuration
	# (apt-private.sh) and unpacked, never installed on this Debian 12 host.
	exec "$HX_ROOT/scripts/kernels/fetch-backport-source.sh" "$ver"
fi
check_version "$ver"

if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
	[ "$(id -u)" -eq 0 ] || die "$pkg is not installed; run as root"
	stage "apt-get install $pkg"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null ||
		die "apt-get install $pkg failed"
fi
pkgver=$(dpkg-query -W -f='${Version}' "$pkg")
tarball=/usr/src/$pkg.tar.xz
[ -r "$tarball" ] || die "$tarball missing although $pkg is installed"

dest=$HX_CACHE/src/$pkg-$pkgver
if [ ! -f "$dest/Makefile" ]; then
	stage "unpack $pkg $pkgver"
	mkdir -p "$HX_CACHE/src"
	tmp=$(mktemp -d "$HX_CACHE/src/.unpack.XXXXXX")
	tar -C "$tmp" -xf "$tarball" || { rm -rf "$tmp"; die "cannot unpack $tarball"; }
	chmod -R a-w "$tmp/$pkg"
	publish "$tmp/$pkg" "$dest"
	rmdir "$tmp"
fi
echo "$dest"
