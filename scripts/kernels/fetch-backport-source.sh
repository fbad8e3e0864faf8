#!/bin/bash
# fetch-backport-source.sh VER: Debian's pristine linux-source-VER from
# trixie-backports (7.3), downloaded through apt-private.sh and unpacked
# into the cache (read-only, never modified; the package is not installed
# on this host); print its path. fetch-source.sh calls it for 7.3.
. "$(dirname "$0")/../lib.sh"

ver=${1:-}
[ "$ver" = 7.3 ] || die "fetch-backport-source.sh: no backported linux-source for '$ver' (only 7.3)"
pkg=linux-source-$ver
suites=trixie,trixie-backports
pkgver=$("$HX_ROOT/scripts/kernels/apt-private.sh" "$suites" apt-cache policy "$pkg" |
	sed -n 's/^ *Candidate: //p')
if [ -z "$pkgver" ] || [ "$pkgver" = "(none)" ]; then
	die "no $pkg in $suites"
fi
dest=$HX_CACHE/src/$pkg-$pkgver
if [ ! -f "$dest/Makefile" ]; then
	mkdir -p "$HX_CACHE/src"
	tmp=$(mktemp -d "$HX_CACHE/src/.unpack.XXXXXX")
	trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
	stage "download $pkg $pkgver ($suites)"
	(cd "$tmp" && "$HX_ROOT/scripts/kernels/apt-private.sh" "$suites" apt-get download -q \
		"$pkg=$pkgver") >"$tmp/apt.log" 2>&1 ||
		die "apt-get download $pkg failed: $(tail -1 "$tmp/apt.log")"
	stage "unpack $pkg $pkgver"
	dpkg-deb --fsys-tarfile "$tmp"/"$pkg"_*.deb |
		tar -xf - -C "$tmp" "./usr/src/$pkg.tar.xz" ||
		die "no usr/src/$pkg.tar.xz in the $pkg package"
	tar -C "$tmp" -xf "$tmp/usr/src/$pkg.tar.xz" || die "cannot unpack $pkg.tar.xz"
	chmod -R a-w "$tmp/$pkg"
	publish "$tmp/$pkg" "$dest"
fi
echo "$dest"
