#!/bin/bash
# build-modules.sh KDIR OUT DIR...: build the out-of-tree modules in each DIR
# (a folder with a Kbuild file; its *.c and include/ are copied, and it may
# include the project's include/ and tests/include/) against the kernel
# build KDIR, with W=1 and sparse (C=1, see below), in a copy under OUT;
# print the paths of the .ko files. A module that warns fails the build
# (and where sparse should run and does not, too). Later DIRs
# may use the symbols of earlier ones (dma-buf-sgt-cache.ko first, then its
# users). A build whose inputs (sources, the headers it may include, the
# contract suite's source that tests/ktap and tests/kunit-module include,
# conftest.h, the kernel's and the earlier modules' Module.symvers) did not
# change is reused.
. "$(dirname "$0")/../lib.sh"

kdir=${1:-} out=${2:-}
[ $# -ge 3 ] || die "usage: build-modules.sh KDIR OUT DIR..."
shift 2
[ -f "$kdir/Module.symvers" ] || die "no complete kernel build at $kdir"
mkdir -p "$out"
hx_in_kroot "$kdir" "$HX_ROOT/conftest.sh" --kdir "$kdir" "$out/conftest.h"

symvers=()
# sparse (C=1) wherever the kernel takes Debian's sparse (hx_sparse_runs);
# elsewhere W=1 alone, said here.
sparse=(C=1)
if ! hx_sparse_runs "$kdir"; then
	sparse=()
	stage "sparse: not run against $kdir (the kernel wants a newer sparse than Debian has)"
fi
for dir in "$@"; do
	[ -f "$dir/Kbuild" ] || die "no Kbuild in $dir"
	name=$(basename "$dir")
	[ "$(cd "$dir" && pwd)" = "$HX_ROOT" ] && name=dma-buf-sgt-cache
	b=$out/$name
	stamp=$( { cat "$kdir/Module.symvers" "$out/conftest.h" "${symvers[@]}" /dev/null \
		"$HX_ROOT"/include/linux/*.h "$HX_ROOT"/tests/include/*.h "$HX_ROOT"/tests/kunit/*.c
		echo "$kdir"
		cd "$dir" && { find . -maxdepth 1 -type f \( -name Kbuild -o -name '*.[ch]' -o -name conftest.sh \)
			[ ! -d include ] || find include -type f; } | LC_ALL=C sort | xargs cat
	} | sha256sum | cut -c1-16)
	if [ -f "$b/.stamp" ] && [ "$(cat "$b/.stamp")" = "$stamp" ] && ls "$b"/*.ko >/dev/null 2>&1; then
		ls "$b"/*.ko
		symvers+=("$b/Module.symvers")
		continue
	fi
	rm -rf "$b"
	mkdir -p "$b"
	cp "$dir"/Kbuild "$dir"/*.c "$b/"
	cp "$dir"/*.h "$b/" 2>/dev/null || true
	[ ! -f "$dir/conftest.sh" ] || cp "$dir/conftest.sh" "$b/"
	[ ! -d "$dir/include" ] || cp -r "$dir/include" "$b/"
	cp "$out/conftest.h" "$b/"
	if ! hx_in_kroot "$kdir" make -C "$kdir" M="$b" W=1 "${sparse[@]}" \
		KBUILD_EXTRA_SYMBOLS="${symvers[*]}" modules >"$b/build.log" 2>&1; then
		die "module build failed in $dir against $kdir: $(grep -m1 -E 'error|Error' "$b/build.log")"
	fi
	if grep -q 'sparse is not available' "$b/build.log"; then
		die "sparse did not run in $dir against $kdir: $(grep -m1 'sparse' "$b/build.log")"
	fi
	if grep -q 'warning:' "$b/build.log"; then
		die "module build warned in $dir against $kdir: $(grep -m1 'warning:' "$b/build.log")"
	fi
	echo "$stamp" >"$b/.stamp"
	ls "$b"/*.ko
	symvers+=("$b/Module.symvers")
done
