#!/bin/bash
# fetch-stock.sh VER: download Debian's stock binary kernel for VER (the
# image and its headers, never installed: unpacked with dpkg -x into the
# cache) and print the directory. It holds vmlinuz (the kernel to boot) and
# build (a kernel build dir for out-of-tree modules: KDIR).
#   6.1  -> bookworm's default kernel (what linux-image-amd64 depends on)
#   6.12 -> the 6.12.N+deb12 kernel matching linux-source-6.12
. "$(dirname "$0")/lib.sh"

ver=${1:-}
check_version "$ver"
case "$ver" in
6.1)
	abi=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/.*Depends: linux-image-\(6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -1)
	kbuild=linux-kbuild-6.1
	;;
6.12)
	up=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null | sed 's/-.*//')
	[ -n "$up" ] || up=$(apt-cache policy linux-source-6.12 | sed -n 's/ *Candidate: \([0-9.]*\)-.*/\1/p')
	abi=$up+deb12-amd64
	kbuild=linux-kbuild-$up+deb12
	;;
esac
if [ -z "$abi" ] || [ "$abi" = +deb12-amd64 ]; then
	die "cannot tell Debian's stock $ver kernel (run apt-get update?)"
fi
common=${abi%-amd64}-common
dest=$HX_CACHE/stock/$abi
if [ -f "$dest/vmlinuz" ] && [ -f "$dest/build/Module.symvers" ]; then
	echo "$dest"
	exit 0
fi

stage "download Debian $abi (image, headers)"
mkdir -p "$HX_CACHE/stock"
tmp=$(mktemp -d "$HX_CACHE/stock/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pkgs=("linux-image-$abi-unsigned" "linux-headers-$abi" "linux-headers-$common" "$kbuild")
(cd "$tmp" && apt-get download -q "${pkgs[@]}" >"$tmp/apt.log" 2>&1) ||
	die "apt-get download failed for ${pkgs[*]}: $(tail -1 "$tmp/apt.log")"
mkdir "$tmp/root"
for deb in "$tmp"/*.deb; do
	dpkg -x "$deb" "$tmp/root" || die "dpkg -x $deb failed"
done
hdr=$tmp/root/usr/src/linux-headers-$abi
[ -f "$hdr/Makefile" ] || die "no headers in linux-headers-$abi"
# The headers' Makefile includes the common part by absolute path.
sed -i "s|/usr/src/linux-headers-$common/|$dest/root/usr/src/linux-headers-$common/|" "$hdr/Makefile"
mkdir "$tmp/out"
mv "$tmp/root" "$tmp/out/root"
cp "$tmp/out/root/boot/vmlinuz-$abi" "$tmp/out/vmlinuz"
ln -s "root/usr/src/linux-headers-$abi" "$tmp/out/build"
rm -rf "$dest"
mv "$tmp/out" "$dest"
echo "$dest"
