#!/bin/bash
# check-deb.sh DEBIAN_KERNEL_DIR...: the Debian package, as a distro would
# build and a user would install it. Prints one "result:" line each:
#   deb-build        dpkg-buildpackage -b of the committed tree (git's view)
#   deb-lintian      lintian clean (no error or warning), and its negative
#                    control: the same package without debian/copyright
#                    must fail
#   deb-autodep8     debian/control's Testsuite: autopkgtest-pkg-dkms, as
#                    autodep8 reads it: Debian's standard test of a -dkms
#                    package (dkms-autopkgtest builds it for the installed
#                    headers) is generated
#   deb-install-KVER installed with dpkg -i into a throw-away root (an
#                    overlay of this machine's root in a private mount
#                    namespace, discarded at the end: the host's dpkg and
#                    DKMS state never change), DKMS builds and installs the
#                    module for the Debian stock kernel KVER (its headers
#                    from fetch-stock.sh), vermagic checked; and
#                    examples/importer builds there with its own Makefile
#                    against the installed source, its .ko depending on
#                    dma-buf-sgt-cache (the symbols resolved); then
#   deb-purge        dpkg --purge leaves no module, DKMS tree or source
. "$(dirname "$0")/../lib.sh"

[ $# -ge 1 ] || die "usage: check-deb.sh DEBIAN_KERNEL_DIR... (from fetch-stock.sh)"
for d in "$@"; do
	[ -f "$d/build/Makefile" ] || die "no Debian kernel headers in $d (from fetch-stock.sh)"
done
need dpkg-buildpackage lintian dh_dkms dkms unshare chroot git autodep8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

build() { # DIR [FILE]: the package of the committed tree (without FILE) in DIR
	mkdir -p "$1/src"
	(cd "$HX_ROOT" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$1/src"
	[ -z "${2:-}" ] || rm -f "$1/src/$2"
	(cd "$1/src" && dpkg-buildpackage -b -uc -us) >"$1/build.log" 2>&1
}
if ! build "$tmp/ok"; then
	echo "result: FAIL deb-build -- dpkg-buildpackage: $(grep -m1 -iE 'error' "$tmp/ok/build.log" || tail -1 "$tmp/ok/build.log")"
	exit 0
fi
deb=$(ls "$tmp"/ok/*.deb)
echo "result: PASS deb-build -- $(basename "$deb") ($(dpkg-deb -f "$deb" Depends))"

# lintian: exit status 2 on a tag at or above --fail-on
lint() {
	local out rc=0
	out=$(lintian --fail-on error,warning "$1"/*.changes 2>&1) || rc=$?
	grep -v 'root privileges' <<<"$out" || true
	return "$rc"
}
if out=$(lint "$tmp/ok"); then
	echo "result: PASS deb-lintian -- no error or warning"
else
	echo "result: FAIL deb-lintian -- $(echo "$out" | head -3 | tr '\n' ' ')"
fi
if build "$tmp/bad" debian/copyright && ! out=$(lint "$tmp/bad") &&
	msg=$(grep -m1 -o 'no-copyright-file' <<<"$out"); then
	echo "result: PASS control-deb-lintian -- tripped: $msg"
else
	echo "result: FAIL control-deb-lintian -- a package without debian/copyright did not build, or lintian passed it"
fi

# autodep8 prints the generated debian/tests/control (exit 0) or nothing
if out=$(cd "$tmp/ok/src" && autodep8 . 2>&1) && grep -q '^Test-Command: /usr/lib/dkms/dkms-autopkgtest$' <<<"$out"; then
	echo "result: PASS deb-autodep8 -- Testsuite: autopkgtest-pkg-dkms generates $(grep -m1 -o 'test-name=[a-z-]*' <<<"$out")"
else
	echo "result: FAIL deb-autodep8 -- autodep8 generated no dkms-autopkgtest: $(head -1 <<<"$out")"
fi

# install_in LOWER ROOT PURGE KVER:HEADERS...: the package installed with
# dpkg -i into an overlay of LOWER (this machine's root, or a build root)
# mounted below ROOT in a private mount namespace, DKMS and the example for
# each kernel, then purged (the result named PURGE). The namespace's mounts,
# and everything written through the overlay, go with it.
install_in() {
	local lower=$1 root=$2 purge=$3
	shift 3
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare -m --propagation private bash -c '
set -euo pipefail
lower=$1 root=$2 purge=$3 pkg=$4 ver=$5 cache=$6
shift 6
mount -t tmpfs tmpfs "$root"
mkdir "$root/upper" "$root/work" "$root/m"
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$root/upper,workdir=$root/work" "$root/m"
m=$root/m
mount -t proc proc "$m/proc"
mount --rbind /dev "$m/dev"
mount --rbind /sys "$m/sys"
# a build root sees the kernel headers in the cache at their own paths
if [ "$lower" != / ]; then
	mkdir -p "$m$cache"
	mount --bind "$cache" "$m$cache"
fi
cp "$pkg" "$m/pkg.deb"
cp -r "$(dirname "$pkg")/example" "$m/example"
inroot() { chroot "$m" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
if ! inroot dpkg -i /pkg.deb >"$root/dpkg.log" 2>&1; then
	echo "result: FAIL deb-install -- dpkg -i into $lower: $(tail -1 "$root/dpkg.log")"
	exit 0
fi
for kv in "$@"; do
	k=${kv%%:*} build=${kv#*:}
	mkdir -p "$m/lib/modules/$k"
	rm -rf "$m/lib/modules/$k/build"
	ln -s "$build" "$m/lib/modules/$k/build"
	if ! inroot dkms install dma-buf-sgt-cache/"$ver" -k "$k" >"$root/dkms-$k.log" 2>&1; then
		echo "result: FAIL deb-install-$k -- dkms install: $(grep -m1 -i error "$root/dkms-$k.log" || tail -1 "$root/dkms-$k.log")"
		continue
	fi
	ko=$(find "$m/lib/modules/$k" -name "dma-buf-sgt-cache.ko*" | head -1)
	magic=$( [ -n "$ko" ] && modinfo -F vermagic "$ko" | cut -d" " -f1)
	if [ "$magic" != "$k" ]; then
		echo "result: FAIL deb-install-$k -- installed module ${ko:-missing}, vermagic \"$magic\""
		continue
	fi
	rm -rf "$m/ex-$k"
	cp -r "$m/example" "$m/ex-$k"
	if ! inroot make -C "/ex-$k" KDIR="/lib/modules/$k/build" >"$root/ex-$k.log" 2>&1; then
		echo "result: FAIL deb-install-$k -- examples/importer: $(grep -m1 -iE "error" "$root/ex-$k.log")"
		continue
	fi
	deps=$(modinfo -F depends "$m/ex-$k/sgt_example.ko")
	if [ "$deps" = dma-buf-sgt-cache ]; then
		echo "result: PASS deb-install-$k -- dpkg -i into $lower, dkms install: ${ko#"$m"} (vermagic $magic); examples/importer built against /usr/src, depends on $deps"
	else
		echo "result: FAIL deb-install-$k -- examples/importer built, but depends on \"$deps\""
	fi
done
if ! inroot dpkg --purge dma-buf-sgt-cache-dkms >"$root/purge.log" 2>&1; then
	echo "result: FAIL $purge -- dpkg --purge: $(tail -1 "$root/purge.log")"
	exit 0
fi
left=$(find "$m/usr/src" "$m/var/lib/dkms" "$m/lib/modules" -name "dma-buf-sgt-cache*" 2>/dev/null | head -3 | tr "\n" " ")
if [ -z "$left" ]; then
	echo "result: PASS $purge -- no module, DKMS tree or source left"
else
	echo "result: FAIL $purge -- left: $left"
fi
' check-deb "$lower" "$root" "$purge" "$tmp/pkg.deb" "$ver" "$HX_CACHE" "$@"
}

# The kernels by the root their headers build in (hx_in_kroot): this
# machine's, or a Debian 13 build root, where the package is installed as
# on a Debian 13 machine.
cp "$deb" "$tmp/pkg.deb"
cp -r "$HX_ROOT/examples/importer" "$tmp/example"
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$HX_ROOT/dkms.conf")
declare -A kvers=() # lower root -> "KVER:HEADERS ..."
for d in "$@"; do
	b=$(readlink -f "$d/build") lower=/
	[ ! -f "$b/.hx-build-root" ] || lower=$(cat "$b/.hx-build-root")
	kvers[$lower]+=" $(basename "$(readlink -f "$d")"):$b"
done
for lower in "${!kvers[@]}"; do
	purge="deb-purge"
	[ "$lower" = / ] || purge=deb-purge-$(basename "$lower" | cut -d- -f1)
	root=$tmp/root-$(echo "$lower" | md5sum | cut -c1-8)
	mkdir -p "$root"
	read -r -a ks <<<"${kvers[$lower]}"
	install_in "$lower" "$root" "$purge" "${ks[@]}"
done
