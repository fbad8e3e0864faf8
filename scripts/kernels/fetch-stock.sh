#!/bin/bash
# fetch-stock.sh VER: download Debian's stock binary kernel for VER (the
# image and its headers, never installed: unpacked with dpkg -x into the
# cache) and print the directory. It holds vmlinuz (the kernel to boot) and
# build (a kernel build dir for out-of-tree modules: KDIR).
#   6.1  -> bookworm's default kernel (what linux-image-amd64 depends on)
#   6.12 -> the 6.12.N+deb12 kernel matching linux-source-6.12
#   7.3  -> Debian 13's 7.3.N+deb13 kernel from trixie-backports, matching
#           linux-source-7.3 (through apt-private.sh); its headers were made
#           with gcc-14, so its modules build in a Debian 13 build root
#           (build-root.sh), named in build/.hx-build-root (hx_in_kroot)
. "$(dirname "$0")/../lib.sh"

ver=${1:-}
check_version "$ver"
apt=(apt-get) root='' meta=''
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
7.3)
	suites=trixie,trixie-backports
	apt=("$HX_ROOT/scripts/kernels/apt-private.sh" "$suites" apt-get)
	up=$("$HX_ROOT/scripts/kernels/apt-private.sh" "$suites" apt-cache policy \
		linux-source-7.3 | sed -n 's/ *Candidate: \([0-9.]*\)-.*/\1/p')
	abi=$up+deb13-amd64
	kbuild=linux-kbuild-$up+deb13
	meta=yes # 7.x's linux-image is a meta package
	root=$("$HX_ROOT/scripts/kernels/build-root.sh" trixie)
	;;
esac
if [ -z "$abi" ] || [ "$abi" = +deb12-amd64 ] || [ "$abi" = +deb13-amd64 ]; then
	die "cannot tell Debian's stock $ver kernel (run apt-get update?)"
fi
common=${abi%-amd64}-common
dest=$HX_CACHE/stock/$abi
if [ -f "$dest/vmlinuz" ] && [ -f "$dest/build/Module.symvers" ]; then
	[ -z "$root" ] || echo "$root" >"$dest/build/.hx-build-root"
	echo "$dest"
	exit 0
fi

stage "download Debian $abi (image, headers)"
mkdir -p "$HX_CACHE/stock"
tmp=$(mktemp -d "$HX_CACHE/stock/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
image=linux-image-$abi-unsigned vmlinuz=boot/vmlinuz-$abi
# the kernel of a meta package linux-image is in linux-binary
[ -z "$meta" ] || image=linux-binary-$abi vmlinuz=usr/lib/modules/$abi/vmlinuz
pkgs=("$image" "linux-headers-$abi" "linux-headers-$common" "$kbuild")
(cd "$tmp" && "${apt[@]}" download -q "${pkgs[@]}" >"$tmp/apt.log" 2>&1) ||
	die "apt-get download failed for ${pkgs[*]}: $(tail -1 "$tmp/apt.log")"
mkdir "$tmp/root"
for deb in "$tmp"/*.deb; do
	dpkg -x "$deb" "$tmp/root" || die "dpkg -x $deb failed"
done
hdr=$tmp/root/usr/src/linux-headers-$abi
[ -f "$hdr/Makefile" ] || die "no headers in linux-headers-$abi"
# The headers' Makefile names the common part (and since 7.x itself) by
# absolute path.
sed -i "s|\([ =]\)/usr/src/linux-headers-|\1$dest/root/usr/src/linux-headers-|" "$hdr/Makefile"
[ -z "$root" ] || echo "$root" >"$hdr/.hx-build-root"
mkdir "$tmp/out"
mv "$tmp/root" "$tmp/out/root"
cp "$tmp/out/root/$vmlinuz" "$tmp/out/vmlinuz"
ln -s "root/usr/src/linux-headers-$abi" "$tmp/out/build"
rm -rf "$dest"
mv "$tmp/out" "$dest"
echo "$dest"
