#!/bin/bash
# stress.sh: `make stress`. The long version of what `make check` runs
# briefly, on 6.12 and 6.1, patched core and module on stock, debug (KASAN)
# kernels: the failure points of attach (tests/faults mode=errors), the
# concurrency stress (mode=stress, HX_STRESS_SECONDS, default 60), the
# failslab / fail_page_alloc sweep (tests/guest/fault-sweep, HX_STRESS_ROUNDS
# rounds per setting, default 1000) and the unload test; before them, on the
# stock kernel, the DMA-API debugging reproducer (tests/dma-debug) with one
# device for all threads (must warn) and one device each (must not); then
# the summary.
. "$(dirname "$0")/lib.sh"

"$HX_ROOT/scripts/deps.sh"
secs=${HX_STRESS_SECONDS:-60}
rounds=${HX_STRESS_ROUNDS:-1000}
run=$HX_CACHE/logs/stress-$(date +%Y%m%d-%H%M%S)
mkdir -p "$run"
# Two vCPUs: the stress and the DMA-API reproducer are about races.
export HX_LOGS=$run HX_QEMU_SMP=${HX_QEMU_SMP:-2}
results=$run/results
: >"$results"
: >"$run/plan"
deny=sgt-cache-mock-no-cache
load="sgt_faults@mode=errors,sgt_faults@mode=stress:seconds=$secs"
to=$((secs + 600))
# boot NAME PATTERN KDIR INITRD EXPECT TIMEOUT CMDLINE...: one guest; its
# result goes to the results, and the lines of its log matching PATTERN
# (grep) to stdout.
boot() {
	local name=$1 pattern=$2
	shift 2
	echo "$name" >>"$run/plan"
	"$HX_ROOT/scripts/harness/run-boot.sh" "$name" "$1" "$2" "$3" "$4" - "${@:5}" | tee -a "$results"
	grep -h "$pattern" "$run/$name.log" | sed 's/^\[[ 0-9.]*\] *//; s/^ *//' || true
}
for ver in 6.12 6.1; do
	stage "== $ver"
	# DMA-API debugging miscounts concurrent mappings of one page by one
	# device (tests/dma-debug): show that on the stock kernel, and that one
	# device per thread, as the stress below uses, does not.
	k=$("$HX_ROOT/scripts/kernels/build-kernel.sh" "$ver" stock kasan)
	declare -a ko
	hx_lines ko "$HX_ROOT/scripts/harness/build-modules.sh" "$k" \
		"$HX_CACHE/modules/stress-$ver-dma-debug" "$HX_ROOT/tests/dma-debug"
	"$HX_ROOT/scripts/harness/build-initramfs.sh" "$run/initrd-$ver-dma-debug.gz" "${ko[@]}"
	for race in "shared 1 warn 120" "per-thread 0 none $secs"; do
		read -r devs shared expect race_secs <<<"$race"
		stage "boot dma-debug-race-$ver-$devs (up to ${race_secs}s, expect: $expect)"
		boot "dma-debug-race-$ver-$devs" '# .* rounds by' "$k" "$run/initrd-$ver-dma-debug.gz" \
			"$expect" "$((race_secs + 600))" \
			"hx.load=dma_debug_race@seconds=$race_secs:shared=$shared"
	done
	for variant in patched stock; do
		k=$("$HX_ROOT/scripts/kernels/build-kernel.sh" "$ver" "$variant" kasan)
		# the holder is for the unload test, stock kernels only
		mods=("$HX_ROOT" "$HX_ROOT/tests/faults")
		[ "$variant" = patched ] || mods+=("$HX_ROOT/tests/holder")
		hx_lines ko "$HX_ROOT/scripts/harness/build-modules.sh" "$k" \
			"$HX_CACHE/modules/stress-$ver-$variant" "${mods[@]}"
		"$HX_ROOT/scripts/harness/build-initramfs.sh" "$run/initrd-$ver-$variant.gz" "${ko[@]}" \
			"$HX_ROOT/tests/guest/fault-sweep" "$HX_ROOT/tests/guest/unload-test"
		args=("hx.load=$load" "hx.run=fault-sweep@$rounds")
		[ "$variant" = patched ] ||
			args=("hx.insmod=dma-buf-sgt-cache@deny=$deny" "hx.load=$load"
				"hx.run=unload-test,fault-sweep@$rounds")
		stage "boot stress-$ver-$variant (${secs}s stress, $rounds rounds per fault setting)"
		boot "stress-$ver-$variant" '# stress:\|# [a-z_]* probability=' "$k" \
			"$run/initrd-$ver-$variant.gz" none "$to" "${args[@]}"
	done
done
python3 "$HX_ROOT/scripts/harness/summary.py" "$results" "$run/plan"
