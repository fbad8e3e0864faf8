#!/bin/bash
# build-example.sh KDIR OUT: build examples/importer with its own Makefile,
# as an outside driver builds against an installed dma-buf-sgt-cache (the
# checkout standing in for /usr/src/dma-buf-sgt-cache-VER), in a copy
# under OUT, with W=1; print the path of sgt_example.ko. A warning fails.
. "$(dirname "$0")/../lib.sh"

kdir=${1:-} out=${2:-}
if [ -z "$kdir" ] || [ -z "$out" ]; then
	die "usage: build-example.sh KDIR OUT"
fi
[ -f "$kdir/Makefile" ] || die "no kernel build at $kdir"
rm -rf "$out"
mkdir -p "$out"
cp -r "$HX_ROOT/examples/importer/." "$out/"
if ! make -C "$out" KDIR="$kdir" DBSC="$HX_ROOT" W=1 >"$out/build.log" 2>&1; then
	die "examples/importer does not build against $kdir: $(grep -m1 -iE 'error' "$out/build.log")"
fi
! grep -q 'warning:' "$out/build.log" ||
	die "examples/importer warns against $kdir: $(grep -m1 'warning:' "$out/build.log")"
echo "$out/sgt_example.ko"
