#!/bin/bash
# demo.sh: build the patched 6.12 debug kernel (lockdep + KASAN + kmemleak,
# the one make check boots) and the test importer, boot
# it, attach a real dma-buf (udmabuf) and show what the cache did: the
# exporter's own map calls at attach, maps served from the cache, the
# release at detach, and bufinfo marking the attachment. The same boot
# shows the system heap, which opts out, mapping at every call.
. "$(dirname "$0")/lib.sh"

"$HX_ROOT/scripts/deps.sh"
kdir=$("$HX_ROOT/scripts/kernels/build-kernel.sh" 6.12 patched kasan)
out=$HX_CACHE/demo
declare -a mods progs
hx_lines mods "$HX_ROOT/scripts/harness/build-modules.sh" "$kdir" "$out/modules" "$HX_ROOT/tests/importer"
hx_lines progs "$HX_ROOT/scripts/harness/build-guest-progs.sh" "$out/bin"
files=("${mods[@]}" "${progs[@]}")
"$HX_ROOT/scripts/harness/build-initramfs.sh" "$out/initrd.gz" "${files[@]}"
stage "boot the patched 6.12 debug kernel"
export HX_LOGS=$out
verdict=$("$HX_ROOT/scripts/harness/run-boot.sh" demo "$kdir" "$out/initrd.gz" none 180 - \
	hx.insmod=sgt_importer hx.run=sgt-import@udmabuf:cached,sgt-import@heap:uncached)
echo
sed -n 's/^harness: begin run sgt-import@.*$/--- a real dma-buf, imported by sgt_importer ---/p;
	s/^# \(udmabuf\|heap\): /\1: /p; s/^# \(attach\|detach\|[0-9]* maps\)/  \1/p;
	s/^# bufinfo: /  bufinfo: /p; s/^\(not ok\|ok\) [0-9]* /  [\1] /p' "$out/demo.log"
echo
echo "$verdict"
case "$verdict" in "result: PASS"*) ;; *) exit 1 ;; esac
