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
export HX_LOGS=$run
results=$run/results
: >"$results"
: >"$run/plan"
deny=sgt-cache-mock-no-cache
load="sgt_faults@mode=errors,sgt_faults@mode=stress:seconds=$secs"
to=$((secs + 600))
for ver in 6.12 6.1; do
	stage "== $ver"
	# DMA-API debugging miscounts concurrent mappings of one page by one
	# device (tests/dma-debug): show that on the stock kernel, and that one
	# device per thread, as the stress below uses, does not.
	k=$("$HX_ROOT/scripts/build-kernel.sh" "$ver" stock kasan)
	mapfile -t ko < <("$HX_ROOT/scripts/build-modules.sh" "$k" \
		"$HX_CACHE/modules/stress-$ver-dma-debug" "$HX_ROOT/tests/dma-debug")
	"$HX_ROOT/scripts/build-initramfs.sh" "$run/initrd-$ver-dma-debug.gz" "${ko[@]}"
	for race in "shared 1 warn 120" "per-thread 0 none $secs"; do
		read -r devs shared expect race_secs <<<"$race"
		name=dma-debug-race-$ver-$devs
		echo "$name" >>"$run/plan"
		stage "boot $name (up to ${race_secs}s, expect: $expect)"
		"$HX_ROOT/scripts/run-boot.sh" "$name" "$k" "$run/initrd-$ver-dma-debug.gz" \
			"$expect" "$((race_secs + 600))" - \
			"hx.load=dma_debug_race@seconds=$race_secs:shared=$shared" |
			tee -a "$results"
		grep -h '# .* rounds by' "$run/$name.log" | sed 's/^\[[ 0-9.]*\] *//' || true
	done
	for variant in patched stock; do
		k=$("$HX_ROOT/scripts/build-kernel.sh" "$ver" "$variant" kasan)
		mapfile -t ko < <("$HX_ROOT/scripts/build-modules.sh" "$k" \
			"$HX_CACHE/modules/stress-$ver-$variant" "$HX_ROOT" "$HX_ROOT/tests/holder" \
			"$HX_ROOT/tests/faults")
		"$HX_ROOT/scripts/build-initramfs.sh" "$run/initrd-$ver-$variant.gz" "${ko[@]}" \
			"$HX_ROOT/tests/guest/fault-sweep" "$HX_ROOT/tests/guest/unload-test"
		args=("hx.load=$load" "hx.run=fault-sweep@$rounds")
		[ "$variant" = patched ] ||
			args=("hx.insmod=dma-buf-sgt-cache@deny=$deny" "hx.load=$load"
				"hx.run=unload-test,fault-sweep@$rounds")
		echo "stress-$ver-$variant" >>"$run/plan"
		stage "boot stress-$ver-$variant (${secs}s stress, $rounds rounds per fault setting)"
		"$HX_ROOT/scripts/run-boot.sh" "stress-$ver-$variant" "$k" \
			"$run/initrd-$ver-$variant.gz" none "$to" - "${args[@]}" | tee -a "$results"
		grep -h '# stress:\|# [a-z_]* probability=' "$run/stress-$ver-$variant.log" |
			sed 's/^\[[ 0-9.]*\] *//; s/^ *//' || true
	done
done
python3 "$HX_ROOT/scripts/summary.py" "$results" "$run/plan"
