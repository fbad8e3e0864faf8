#!/bin/bash
# build-initramfs.sh OUT FILE...: a gzip'd cpio initramfs with busybox-static,
# tests/guest/init as /init, and each FILE (modules, test programs, or a
# directory such as an installed kselftest tree) in /hx.
. "$(dirname "$0")/../lib.sh"

out=${1:-}
[ -n "$out" ] || die "usage: build-initramfs.sh OUT FILE..."
shift
need cpio gzip
[ -x /bin/busybox ] || die "/bin/busybox not found; run scripts/deps.sh"
# ldd fails on a static executable, which is what the guest needs.
! ldd /bin/busybox >/dev/null 2>&1 ||
	die "/bin/busybox is not static; install busybox-static"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,dev,proc,sys,tmp,hx}
cp /bin/busybox "$tmp/bin/busybox"
install -m 0755 "$HX_ROOT/tests/guest/init" "$tmp/init"
for f in "$@"; do
	[ -e "$f" ] || die "initramfs: no such file: $f"
	cp -r "$f" "$tmp/hx/"
done
(cd "$tmp" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9n) >"$out.tmp"
mv "$out.tmp" "$out"
