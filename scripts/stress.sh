#!/bin/bash
# stress.sh: `make stress`. The long version of what `make check` runs
# briefly, on 6.12 and 6.1, patched core and module on stock, debug (KASAN)
# kernels: the failure points of attach (tests/faults mode=errors), the
# concurrency stress (mode=stress, HX_STRESS_SECONDS, default 60), the
# failslab / fail_page_alloc sweep (tests/guest/fault-sweep, HX_STRESS_ROUNDS
# rounds per setting, default 1000) and the unload test; then the summary.
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
