#!/bin/bash
# mutants.sh [VER...]: `make mutants`, the mutation score of the module and
# of the series' core change.
#   module  each mutant of tests/mutants/module.mutants meant for VER
#           (scripts/harness/mutate.py): dma-buf-sgt-cache.ko with that bug, built
#           against the stock debug kernel of VER, booted with the contract
#           suite through the module, the differential lockdep suite's cases
#           without a report, the failure points, the hostile importer's bad
#           arguments and exporter in a module (tests/hostile), the unload
#           test, the fault points of an attach (fail-nth), then one lockdep
#           case that must report (the mutant's last=, by default "cached"),
#           and last a map under a spinlock, the core's and the module's;
#   core    each mutant of tests/mutants/core.mutants meant for VER: the
#           patched debug kernel rebuilt with that bug in dma-buf.c (on a
#           scratch copy of its build: only what changes is rebuilt), booted
#           with the in-tree contract suite, the lockdep cases without a
#           report, the failure points, and last the contradictory-flags
#           WARN and the lockdep case "cached".
# A mutant is killed when its guest fails the gates that the same plan
# passes without it (the baselines, booted alongside). Prints a result line
# per mutant, "killed K of N" and the survivors; exits 1 if any survived,
# did not build, or a baseline failed.
# Environment: HX_JOBS (guests at once, default 4), DMA_BUF_SGT_CACHE_DIR,
# HX_MUTANTS (names, space-separated: only these mutants, and a part's
# baseline only where one of them is its; a name that matches none fails).
. "$(dirname "$0")/lib.sh"

vers=("$@")
# by default the kernels the mutants are written for (not 7.3 yet)
[ ${#vers[@]} -gt 0 ] || vers=(6.12 6.1)
for v in "${vers[@]}"; do check_version "$v"; done
"$HX_ROOT/scripts/deps.sh"
need qemu-system-x86_64 python3
run=$HX_CACHE/mutants/$(date +%Y%m%d-%H%M%S)
mkdir -p "$run"
export HX_LOGS=$run
: >"$run/boots"
: >"$run/results"
hx_ccache_env

# boot NAME KDIR INITRD EXPECT CMDLINE...: queue one guest for run-boot.sh
boot() {
	local name=$1 kdir=$2 initrd=$3 expect=$4
	shift 4
	echo "$name $kdir $initrd $expect 300 - $*" >>"$run/boots"
}

# pick ARRAY SPEC VER: ARRAY = the mutants of SPEC for VER ("NAME LAST"
# lines), only those named in HX_MUTANTS when it is set
pick() {
	local -n pick_into=$1
	local all=() line
	hx_lines all python3 "$HX_ROOT/scripts/harness/mutate.py" "$2" --list "$3"
	pick_into=()
	for line in "${all[@]}"; do
		[ -z "${HX_MUTANTS:-}" ] || [[ " $HX_MUTANTS " == *" ${line%% *} "* ]] || continue
		pick_into+=("$line")
	done
}
if [ -n "${HX_MUTANTS:-}" ]; then
	for m in $HX_MUTANTS; do
		grep -q "^## ${m}[ :]" "$HX_ROOT/tests/mutants/module.mutants" \
			"$HX_ROOT/tests/mutants/core.mutants" || die "HX_MUTANTS: no mutant named $m"
	done
fi

# unbuilt NAME WHY: a mutant that cannot be tested fails the run
unbuilt() {
	echo "result: FAIL $1 -- $2" >>"$run/results"
}

for ver in "${vers[@]}"; do
	stage "== $ver: the module's mutants"
	ks=$("$HX_ROOT/scripts/kernels/build-kernel.sh" "$ver" stock kasan)
	declare -a tests=() mutants=() mko=()
	hx_lines tests "$HX_ROOT/scripts/harness/build-modules.sh" "$ks" "$HX_CACHE/modules/mutants-$ver" \
		"$HX_ROOT" "$HX_ROOT/tests/kunit-module" "$HX_ROOT/tests/holder" \
		"$HX_ROOT/tests/lockdep" "$HX_ROOT/tests/faults" "$HX_ROOT/tests/hostile"
	others=("${tests[@]:1}") # all but dma-buf-sgt-cache.ko, the first
	plan=("hx.insmod=dma-buf-sgt-cache@deny=sgt-cache-mock-no-cache"
		"hx.load=dma-buf-sgt-cache-mtest,$(hx_lockdep_steps "$ver" module none),sgt_faults@mode=errors,sgt_hostile@mode=bad_args,sgt_hostile@mode=deny,sgt_hostile@mode=fence"
		"hx.run=unload-test,fail-nth")
	# after the lockdep case, a map under a spinlock (tests/hostile)
	atomic=sgt_hostile@mode=atomic_core,sgt_hostile@mode=atomic
	mexpect=warn=sgt_hostile@mode=bad_args,bug=sgt_hostile@mode=atomic_core,bug=sgt_hostile@mode=atomic
	# (each might_sleep() report ends with "INFO: lockdep is turned off.")
	mexpect+=,lockdep=sgt_hostile@mode=atomic_core,lockdep=sgt_hostile@mode=atomic
	mguest() { # NAME KO LAST
		mkdir -p "$run/$1"
		cp "$2" "$run/$1/dma-buf-sgt-cache.ko"
		"$HX_ROOT/scripts/harness/build-initramfs.sh" "$run/$1/initrd.gz" \
			"$run/$1/dma-buf-sgt-cache.ko" "${others[@]}" "$HX_ROOT/tests/guest/unload-test" \
			"$HX_ROOT/tests/guest/fail-nth"
		boot "$1" "$ks" "$run/$1/initrd.gz" "lockdep=$3,$mexpect" "${plan[@]}" "hx.last=$3,$atomic"
	}
	pick mutants "$HX_ROOT/tests/mutants/module.mutants" "$ver"
	[ ${#mutants[@]} -eq 0 ] ||
		mguest "baseline-module-$ver" "${tests[0]}" sgt_lockdep_module@case=cached
	for line in "${mutants[@]}"; do
		read -r name last <<<"$line"
		src=$run/src-$ver-$name
		mkdir -p "$src"
		cp -r "$HX_ROOT/Kbuild" "$HX_ROOT/conftest.sh" "$HX_ROOT/include" "$src/"
		if ! python3 "$HX_ROOT/scripts/harness/mutate.py" "$HX_ROOT/tests/mutants/module.mutants" \
			"$name" "$HX_ROOT/dma-buf-sgt-cache.c" "$src/dma-buf-sgt-cache.c" ||
			! hx_lines mko "$HX_ROOT/scripts/harness/build-modules.sh" "$ks" "$run/build-$ver-$name" "$src"; then
			unbuilt "mutant-module-$ver-$name" "does not apply or build (see above)"
			continue
		fi
		[ "$last" != - ] || last=sgt_lockdep_module@case=cached
		mguest "mutant-module-$ver-$name" "${mko[0]}" "$last"
	done

	pick mutants "$HX_ROOT/tests/mutants/core.mutants" "$ver"
	[ ${#mutants[@]} -gt 0 ] || continue
	stage "== $ver: the core's mutants"
	kp=$("$HX_ROOT/scripts/kernels/build-kernel.sh" "$ver" patched kasan)
	hx_lines tests "$HX_ROOT/scripts/harness/build-modules.sh" "$kp" "$HX_CACHE/modules/mutants-$ver-patched" \
		"$HX_ROOT/tests/expect" "$HX_ROOT/tests/lockdep" "$HX_ROOT/tests/faults"
	"$HX_ROOT/scripts/harness/build-initramfs.sh" "$run/initrd-$ver-patched.gz" \
		"$kp/drivers/dma-buf/dma-buf-sgt-cache-test.ko" "${tests[@]}"
	cplan=("hx.load=dma-buf-sgt-cache-test,$(hx_lockdep_steps "$ver" patched none),sgt_faults@mode=errors"
		"hx.last=sgt_cache_expect@mode=both_flags,sgt_lockdep@case=cached")
	cexpect=warn=sgt_cache_expect@mode=both_flags,lockdep=sgt_lockdep@case=cached
	boot "baseline-core-$ver" "$kp" "$run/initrd-$ver-patched.gz" "$cexpect" "${cplan[@]}"
	# One scratch copy of the patched build per version: the first make in
	# a copy rebuilds everything (objtool's paths are absolute), the later
	# ones only dma-buf.o and the link. Each mutant starts from the
	# unmutated dma-buf.c (a hard link to the patched tree's, kept aside).
	w=$HX_CACHE/scratch/mutants-$ver
	f=drivers/dma-buf/dma-buf.c
	hx_copy_build "$kp" "$w"
	cp -a "$w/$f" "$w/$f.orig"
	for line in "${mutants[@]}"; do
		read -r name _ <<<"$line"
		stage "build the patched $ver kernel with mutant $name"
		if ! python3 "$HX_ROOT/scripts/harness/mutate.py" "$HX_ROOT/tests/mutants/core.mutants" "$name" \
			"$w/$f.orig" "$w/$f" ||
			! hx_kmake "$w" bzImage >"$run/build-$ver-$name.log" 2>&1; then
			unbuilt "mutant-core-$ver-$name" "does not apply or build: $run/build-$ver-$name.log"
			continue
		fi
		mkdir -p "$run/core-$ver-$name/arch/x86/boot"
		cp "$w/build/arch/x86/boot/bzImage" "$run/core-$ver-$name/arch/x86/boot/"
		boot "mutant-core-$ver-$name" "$run/core-$ver-$name" "$run/initrd-$ver-patched.gz" \
			"$cexpect" "${cplan[@]}"
	done
	rm -rf "$w"
done

stage "== $(grep -c . "$run/boots") guests, ${HX_JOBS:-4} at a time"
xargs -P "${HX_JOBS:-4}" -L 1 "$HX_ROOT/scripts/harness/run-boot.sh" <"$run/boots" 2>/dev/null |
	grep '^result: ' >>"$run/results" || true
# A baseline must pass; a mutant must not: its gates' failure is its kill.
sort -k3 "$run/results" >"$run/results.sorted"
killed=0 n=0 fail=0 survivors=()
while read -r _ status name _ detail; do
	case "$name" in
	baseline-*)
		echo "result: $status $name -- $detail"
		[ "$status" = PASS ] || fail=1
		;;
	mutant-*)
		n=$((n + 1))
		if [[ "$detail" == "does not apply or build"* ]]; then
			echo "result: FAIL $name -- $detail"
			fail=1
		elif [ "$status" = FAIL ]; then
			killed=$((killed + 1))
			echo "result: PASS $name -- killed: ${detail%% (*}"
		else
			survivors+=("$name")
			echo "result: FAIL $name -- survived: every gate passed"
		fi
		;;
	esac
done <"$run/results.sorted"
boots=$(grep -c . "$run/boots")
results=$(grep -vc 'does not apply or build' "$run/results" || true)
if [ "$boots" != "$results" ]; then
	echo "result: FAIL mutants -- $boots guests, $results results"
	fail=1
fi
echo "killed $killed of $n${survivors[*]:+; survived: ${survivors[*]}}"
[ "$fail" = 0 ] && [ "$killed" = "$n" ]
