#!/bin/bash
# bench.sh: `make bench`. Builds the 6.12 bench kernels (config/bench.config:
# no lock or memory debugging, an Intel IOMMU), patched and stock, and the
# benchmark module (tests/bench), boots each on QEMU's q35 machine with
# -device intel-iommu and the "edu" PCI device as the importer, one after
# the other on one vCPU, and reports (scripts/harness/bench-report.py) into
# $HX_CACHE/bench/DATE (latest: $HX_CACHE/bench/latest).
#   patched: no cache (no_sgt_cache) and the attach-time cache
#   stock:   no cache, the lazy cache (cache_sgt_mapping) and the module
#   swiotlb: the patched kernel again, without the IOMMU and with
#            swiotlb=force: the device policy does not cache there, so the
#            series costs what a per-call map costs (buffers up to 16 MiB:
#            the bounce pool has 64 MiB; no memory rows: nothing is kept)
# Environment: HX_BENCH_SIZES (bytes, '+'-separated), HX_BENCH_BUDGET_MS.
. "$(dirname "$0")/lib.sh"

"$HX_ROOT/scripts/deps.sh"
need gnuplot qemu-system-x86_64
sizes=${HX_BENCH_SIZES:-4096+65536+1048576+16777216+268435456}
budget=${HX_BENCH_BUDGET_MS:-100}
out=$HX_CACHE/bench/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
ln -sfn "$out" "$HX_CACHE/bench/latest"

stage "== kernels"
kp=$("$HX_ROOT/scripts/kernels/build-kernel.sh" 6.12 patched bench)
ks=$("$HX_ROOT/scripts/kernels/build-kernel.sh" 6.12 stock bench)
stage "== modules"
declare -a ko_p ko_s
hx_lines ko_p "$HX_ROOT/scripts/harness/build-modules.sh" "$kp" "$out/modules-patched" \
	"$HX_ROOT/tests/bench"
hx_lines ko_s "$HX_ROOT/scripts/harness/build-modules.sh" "$ks" "$out/modules-stock" \
	"$HX_ROOT" "$HX_ROOT/tests/bench"
"$HX_ROOT/scripts/harness/build-initramfs.sh" "$out/initrd-patched.gz" "${ko_p[@]}"
"$HX_ROOT/scripts/harness/build-initramfs.sh" "$out/initrd-stock.gz" "${ko_s[@]}"

export HX_LOGS=$out HX_QEMU_SMP=1 HX_QEMU_MEM=2G
export HX_QEMU_ARGS="-machine q35 -device intel-iommu -device edu"
common="sizes=$sizes:budget_ms=$budget"
fail=0
stage "== boot the patched kernel"
r=$("$HX_ROOT/scripts/harness/run-boot.sh" 6.12-patched "$kp" "$out/initrd-patched.gz" none 1200 - \
	"hx.load=sgt_bench@variants=none+attach:$common")
echo "$r"
case "$r" in "result: PASS"*) ;; *) fail=1 ;; esac
stage "== boot the patched kernel with swiotlb=force, no IOMMU"
small=$(echo "$sizes" | tr + '\n' | awk '$1 <= 16777216' | paste -sd+)
r=$(HX_QEMU_ARGS="-machine q35 -device edu,dma_mask=0xffffffffffffffff" \
	"$HX_ROOT/scripts/harness/run-boot.sh" 6.12-swiotlb "$kp" "$out/initrd-patched.gz" none 1200 - \
	swiotlb=force "hx.load=sgt_bench@variants=none+attach:sizes=$small:budget_ms=$budget:attachments=")
echo "$r"
case "$r" in "result: PASS"*) ;; *) fail=1 ;; esac
stage "== boot the stock kernel"
r=$("$HX_ROOT/scripts/harness/run-boot.sh" 6.12-stock "$ks" "$out/initrd-stock.gz" none 1200 - \
	hx.insmod=dma-buf-sgt-cache "hx.load=sgt_bench@variants=none+lazy+module:$common")
echo "$r"
case "$r" in "result: PASS"*) ;; *) fail=1 ;; esac
stage "== report"
python3 "$HX_ROOT/scripts/harness/bench-report.py" "$out" "$out/6.12-patched.log" "$out/6.12-stock.log" \
	"$out/6.12-swiotlb.log"
exit "$fail"
