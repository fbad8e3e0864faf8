#!/bin/bash
# check.sh: everything `make check` runs, on every supported kernel.
#
#   1. build the debug kernels (KASAN flavour: lockdep + KASAN + kmemleak +
#      DMA_API_DEBUG + fault injection), stock and patched, 6.12, 6.1 and
#      7.3 (the later versions' stock kernels in the background, niced,
#      from the start; each patched kernel in the background from when its
#      stock one is built; a version without patches/VER is stock only); fetch
#      Debian's stock binary kernels (7.3's from trixie-backports, its
#      modules built in a Debian 13 build root: scripts/kernels/build-root.sh);
#   2. check each patch series (scripts/series/check-series.sh), after proving that
#      its lint gates can trip (scripts/harness/check-lint.sh);
#   3. boot, HX_JOBS guests at a time, under a timeout each (Debian's
#      kernel's guests run while our stock kernel builds, its guests while
#      the patched kernel builds, and a version's while the next version's
#      kernels build):
#      - negative controls: each gate must trip (lockdep, KASAN, kmemleak and
#        WARN on every debug kernel; WARN and BUG on the Debian kernels;
#        failed test, missing test, unexpected skip, guest timeout and a
#        guest whose init never starts once, on Debian's 6.12 kernel; a kmemleak report without the
#        guest's since line, on the leak control's log);
#      - the contract suite: all pass on patched kernels; on stock kernels
#        the new-behaviour cases fail and the rest pass (tests/kunit/stock.expect,
#        stock-7.3.expect);
#      - reports the series must produce, each from its own step at the end
#        of a guest (gate.py's GATE=STEP): the WARN for contradictory flags;
#      - the differential lockdep suite (tests/lockdep/cases): each case on
#        the stock kernel, the patched one and through the module; every
#        verdict must be stock's (scripts/harness/lockdep-diff.py, with its negative
#        control);
#      - the byte-level suite (tests/edu): the bytes QEMU's edu DMA engine
#        moves per device kind and exporter, patched and module against
#        stock (scripts/harness/edu-diff.py, with its negative control);
#      - the module's deny list against the sources (scripts/series/check-deny.py,
#        with its negative control);
#      - the Debian package (scripts/package/check-deb.sh): built, lintian clean,
#        installed into a throw-away root where DKMS builds the module for
#        Debian's kernels (this machine's root for 6.1 and 6.12, the Debian
#        13 build root for 7.3), purged;
#      - the matrix of real exporters x importers (tests/guest/sgt-matrix.c)
#        on the patched core and on the module, a 10,000-call random loop on
#        the test importer's interface, the upstream dma-buf kselftests on
#        stock and patched kernels;
#   4. print a summary table, TAP, and "N passed, M failed"; exit 1 on any
#      failure.
#
# Environment: HX_JOBS (guests at once, default 5: much of a guest's time is
# kmemleak's object age, asleep), HX_VERSIONS (default "6.12 6.1 7.3"),
# HX_QEMU_SMP (vCPUs per guest, default 1: see scripts/harness/boot.sh; make stress
# boots two), DMA_BUF_SGT_CACHE_DIR (the cache).
. "$(dirname "$0")/lib.sh"

versions=${HX_VERSIONS:-6.12 6.1 7.3}
jobs=${HX_JOBS:-5}
for v in $versions; do check_version "$v"; done

"$HX_ROOT/scripts/deps.sh"
need qemu-system-x86_64 python3 cpio
# Kernels built in the background, by VER-VARIANT. bg_wait waits for one
# before the loop's own call, which then finds it built (or, if it failed,
# builds again and says why); the source trees a build starts with are not
# made under build-kernel.sh's lock, so two builders must not overlap.
declare -A bg=()
bg_kernel() { # VER VARIANT [NICE]: build-kernel.sh in the background
	nice -n "${3:-0}" "$HX_ROOT/scripts/kernels/build-kernel.sh" "$1" "$2" kasan >/dev/null &
	bg[$1-$2]=$!
}
bg_wait() { # VER VARIANT
	[ -z "${bg[$1-$2]:-}" ] || wait "${bg[$1-$2]}" || true
}
# No build outlives the run, whichever way it ends.
trap '[ ${#bg[@]} -eq 0 ] || wait "${bg[@]}" 2>/dev/null || true' EXIT

# Every version's source first, one apt-get at a time. Then the later
# versions' stock kernels build in the background, niced: they take the
# cycles the first version's steps leave idle (links, checkpatch, guests
# asleep) instead of waiting for all of them. Not setsid: with autogroup
# scheduling, a session of its own would share the CPU equally with this
# one whatever its nice value (a cold run measured that: 6.12's kernel
# built in 546 s instead of 358 s).
for v in $versions; do "$HX_ROOT/scripts/kernels/fetch-source.sh" "$v" >/dev/null; done
read -r -a vers <<<"$versions"
for v in "${vers[@]:1}"; do bg_kernel "$v" stock 10; done

# The host's CPU ticks, busy and idle (all cores), for the last stage line.
ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat; }
read -r busy0 idle0 < <(ticks)
run=$HX_CACHE/logs/$(date +%Y%m%d-%H%M%S)
mkdir -p "$run"
ln -sfn "$run" "$HX_CACHE/logs/latest"
export HX_LOGS=$run
results=$run/results
plan=$run/plan
: >"$results"
: >"$plan"
stage "logs: $run"

record() { # result lines from stdin into the results file (and stdout)
	grep --line-buffered '^result: ' | tee -a "$results"
}
# queue NAME KDIR INITRD EXPECT TIMEOUT CASES CMDLINE...: one guest boot
queue() {
	echo "$*" | tee -a "$plan" >>"$plan.$ver"
}
# One queue of guests for all versions, $jobs booting at once, in the
# background: boots adds the guests queued since its last call as soon as
# their kernel and modules are ready, so that the stock kernel's guests run
# while the patched kernel builds, and a version's while the next one's
# kernels build; no core idles between one version's last guests and the
# next one's first. A boot that cannot even run is reported by summary.py
# as "no result".
# The queue is a file that boot-queue.py reads as it grows; it ends when
# boots.end exists (or this script is gone), whatever descriptors the
# children of this script hold.
: >"$run/boots.queue"
(python3 "$HX_ROOT/scripts/harness/boot-queue.py" "$run/boots.queue" "$run/boots.end" "$jobs" $$ \
	"$HX_ROOT/scripts/harness/run-boot.sh" | record || true) &
booters=("$!")
sent=0 # lines of $plan.$ver in the queue
boots() {
	local n
	n=$(wc -l <"$plan.$ver")
	stage "== $ver: $((n - sent)) guests queued, $jobs at a time, in the background"
	tail -n "+$((sent + 1))" "$plan.$ver" >>"$run/boots.queue"
	sent=$n
}
moddir() { # KDIR: where mods builds against KDIR, with the conftest's conftest.h
	echo "$HX_CACHE/modules/$(echo "$1" | md5sum | cut -c1-12)"
}
mods() { # KDIR DIR...: build test modules against KDIR, print the .ko paths
	local kdir=$1
	shift
	"$HX_ROOT/scripts/harness/build-modules.sh" "$kdir" "$(moddir "$kdir")" "$@"
}
lazy_core() { # KDIR: whether its core has cache_sgt_mapping (gone since
	# v6.16), as the conftest of `mods KDIR` found
	grep -qx '#define DMA_BUF_SGT_CACHE_LAZY 1' "$(moddir "$1")/conftest.h"
}

# The test modules' .ko files per kernel, filled by hx_lines.
declare -a progs ko_deb ko_stock ko_patched
hx_lines progs "$HX_ROOT/scripts/harness/build-guest-progs.sh" "$HX_CACHE/guest-bin"
progs+=("$HX_ROOT/tests/guest/with-modules" "$HX_ROOT/tests/guest/kselftests"
	"$HX_ROOT/tests/guest/fault-sweep" "$HX_ROOT/tests/guest/fail-nth")
# The exp_name of the opted-out mocks (the contract suite's, the differential
# lockdep suite's), for the module's deny list. One name: hx.insmod's list
# is comma-separated too.
mock_deny=sgt-cache-mock-no-cache
controls="hx_control@mode=lockdep,hx_control@mode=leak,hx_control@mode=warn,hx_control@mode=kasan"
# each report from its own control's step (gate.py's GATE=STEP)
controls_expect="lockdep=hx_control@mode=lockdep,leak,warn=hx_control@mode=warn"
controls_expect+=",kasan=hx_control@mode=kasan"
# The differential lockdep suite (tests/lockdep/cases): per version and
# configuration (stock, patched, module), the cases whose stock verdict is
# "none" run as steps of that configuration's main guest; each case that
# reports is the last step (hx.last) of a guest, since lockdep reports once
# per boot: "cached" of the main guest, the others of the byte-level suite's
# boots of the same kernel (edu_guests), and what is left of a guest of its
# own (lx_guests), which boots without kmemleak (the main guests check the
# same modules for leaks). scripts/harness/lockdep-diff.py compares the verdicts
# with stock's. lx_pool holds the cases waiting for a guest, "CONFIG STEP".
lx_pool=()
lx_fill() { # VER CONFIG...: each CONFIG's reporting cases but "cached" into lx_pool
	local ver=$1 config c
	shift
	lx_pool=()
	for config in "$@"; do
		for c in $(hx_lockdep_cases "$ver" "$config" report); do
			[ "$c" != cached ] || continue
			lx_pool+=("$config $(hx_lockdep_steps "$ver" "$config" report | tr , '\n' |
				grep "@case=$c\$")")
		done
	done
}
lx_guests() { # VER KDIR INITRD: a guest for each case left in lx_pool
	local ver=$1 kdir=$2 initrd=$3 e
	local -a mod
	for e in "${lx_pool[@]}"; do
		mod=()
		[ "${e%% *}" != module ] || mod=("hx.insmod=dma-buf-sgt-cache@deny=$mock_deny")
		queue "lockdep-$ver-${e%% *}-${e##*@case=}" "$kdir" "$initrd" "lockdep=${e#* }" 120 - \
			kmemleak=off "${mod[@]}" "hx.last=${e#* }"
	done
	lx_pool=()
}
# The byte-level suite (tests/edu): QEMU's edu DMA engine moves bytes to
# and from a dma-buf of each exporter, for each kind of device, each set of
# kinds in a boot of its own machine (tests/edu/machines), without kmemleak
# (the main guests check the same modules for leaks). The stock kernel's
# boots run the stock reference and the module, the patched kernel's the
# series; scripts/harness/edu-diff.py compares every cell with stock's. Each boot
# takes a lockdep case from lx_pool as its last step.
edu_guests() { # VER CONFIG KDIR INITRD INSMODS SGT-EDU-CONFIGS...
	local ver=$1 config=$2 kdir=$3 initrd=$4 ins=$5 b machine edu kinds cmd c runs
	local expect e
	local -a last
	shift 5
	for b in direct swiotlb iommu-lazy iommu-strict; do
		cmd=
		case $b in
		direct) machine=direct edu=sgt_edu@mask_bits0=64:mask_bits1=32 kinds=0=direct:1=mask ;;
		swiotlb) machine=one edu=sgt_edu@mask_bits0=64 kinds=0=swiotlb cmd=swiotlb=force ;;
		iommu-lazy) machine=iommu edu=sgt_edu@untrusted1=1 kinds=0=iommu-lazy:1=untrusted
			cmd=iommu.strict=0 ;;
		iommu-strict) machine=iommu edu=sgt_edu kinds=0=iommu-strict cmd=iommu.strict=1 ;;
		esac
		runs=
		for c in "$@"; do runs+=${runs:+,}sgt-edu@$c:$kinds; done
		expect=none last=()
		if [ ${#lx_pool[@]} -gt 0 ]; then
			e=${lx_pool[0]}
			lx_pool=("${lx_pool[@]:1}")
			expect="lockdep=${e#* }" last=("hx.last=${e#* }")
		fi
		queue "edu-$ver-$config-$b" "$kdir" "$initrd" "$expect" 300 - "hx.machine=$machine" \
			kmemleak=off $cmd "hx.insmod=$ins,$edu" "hx.run=$runs" "${last[@]}"
	done
}
faults="sgt_faults@mode=errors,sgt_faults@mode=stress:seconds=3"
# a map under a spinlock, the core's then the module's (tests/hostile),
# after the lockdep case: each might_sleep() report ends with lockdep's
# "INFO: lockdep is turned off." (debug_show_held_locks())
atomic=sgt_hostile@mode=atomic_core,sgt_hostile@mode=atomic
atomic_expect=bug=sgt_hostile@mode=atomic_core,bug=sgt_hostile@mode=atomic
atomic_expect+=,lockdep=sgt_hostile@mode=atomic_core,lockdep=sgt_hostile@mode=atomic
# The two longest guests (the matrix, the random loop, the sweep): 140-190 s
# on a quiet host, 305 s once while both patched kernels were rebuilt
# beside them, which a cold run does too. The stock kernels' contract guest
# (the suite, the kselftests, the lockdep cases) gets the same: on a host
# building 7.3's patched kernel, 7.3's reached its last step at 193 s of
# guest time, its init at 93 s, and its final kmemleak scans ran past 240 s.
main_timeout=480
# make bench's module, briefly, on the debug kernels ('+' separates its lists)
# (beyond 7 cached attachments of one buffer DMA-API debugging warns: see
# Documentation/exporter-guide.rst)
bench="sgt_bench@sizes=4096+1048576:budget_ms=5:attachments=1+7"
# three of make stress's five fault injection settings, 50 rounds each
sweep="fault-sweep@50:failslab:10:1:failslab:100:3:fail_page_alloc:100:2"
first=
debs=() # Debian's stock kernels, for the package's check

for ver in $versions; do
	sent=0
	[ -n "$first" ] || first=$ver
	stage "== $ver: Debian's kernel, and what needs no kernel build"
	# First what needs no kernel of ours: for a version whose kernel builds
	# in the background, while it builds.
	kdeb=$("$HX_ROOT/scripts/kernels/fetch-stock.sh" "$ver")
	debs+=("$kdeb")
	stock_expect=$(hx_stock_expect "$ver")
	kst=$("$HX_ROOT/scripts/harness/build-kselftests.sh" "$ver" "$HX_CACHE/guest-bin")
	# Debian's own kernel (no KUnit, no lockdep): the module builds with W=1
	# and sparse against its headers (7.3's: in a Debian 13 build root, see
	# build-modules.sh); the contract suite runs through it (tests/ktap)
	# and, against the stock core, fails as the stock expectation says; the
	# WARN gate trips on it.
	if hx_lines ko_deb mods "$kdeb/build" "$HX_ROOT" "$HX_ROOT/tests/controls" \
		"$HX_ROOT/tests/ktap" "$HX_ROOT/tests/hostile"; then
		echo "result: PASS module-build-$(basename "$kdeb") -- W=1, 0 warnings against Debian's headers" | record
		hx_in_kroot "$kdeb/build" "$HX_ROOT/scripts/package/check-dkms.sh" "$kdeb" | record
		"$HX_ROOT/scripts/harness/build-initramfs.sh" "$run/initrd-$ver-debian.gz" "${ko_deb[@]}"
		# One CPU, even if HX_QEMU_SMP asks for more: Debian's kernel patches
		# its own text at boot (static keys), and QEMU's TCG sometimes runs the
		# stale copy on a second vCPU (an int3 oops before any of our code is
		# loaded).
		queue "controls-$ver-debian" "$kdeb/vmlinuz" "$run/initrd-$ver-debian.gz" warn 120 - \
			maxcpus=1 "hx.load=hx_control@mode=pass,hx_control@mode=warn"
		# Debian's kernel has no KASAN, whose quarantine keeps a freed
		# attachment's address from coming back: the reuse case runs here.
		queue "module-$ver-debian" "$kdeb/vmlinuz" "$run/initrd-$ver-debian.gz" \
			warn=sgt_hostile@mode=bad_args 120 \
			"dma-buf-sgt-cache-kstock=$stock_expect" maxcpus=1 \
			"hx.insmod=dma-buf-sgt-cache@deny=$mock_deny" \
			hx.load=dma-buf-sgt-cache-ktest,dma-buf-sgt-cache-kstock,sgt_hostile@mode=bad_args,sgt_hostile@mode=reuse,sgt_hostile@mode=deny,sgt_hostile@mode=irq,sgt_hostile@mode=fence
		# The bug gate on each Debian kernel: 6.1 prints a BUG() as
		# "kernel BUG at" and "invalid opcode", 6.12 as "Oops: invalid
		# opcode"; insmod dies, so the step fails too.
		queue "control-bug-$ver" "$kdeb/vmlinuz" "$run/initrd-$ver-debian.gz" \
			"bug=hx_control@mode=bug,test=hx_control@mode=bug" 120 - maxcpus=1 \
			"hx.load=hx_control@mode=bug"
		# The gates that judge the test results rather than the kernel's
		# reports, once: a failed case, a missing case, a skip nobody
		# expects (tests/expected-skips), a guest that hangs. The Debian
		# kernel boots in a fraction of a debug kernel's time.
		if [ "$first" = "$ver" ]; then
			for c in fail:test missing:test skip:test hang:timeout; do
				to=120
				[ "${c#*:}" = timeout ] && to=30
				queue "control-${c%:*}" "$kdeb/vmlinuz" "$run/initrd-$ver-debian.gz" "${c#*:}" \
					"$to" - maxcpus=1 "hx.load=hx_control@mode=${c%:*}"
			done
			# A guest whose init never starts is booted twice (run-boot.sh),
			# and still fails.
			queue control-no-init "$kdeb/vmlinuz" "$run/initrd-$ver-debian.gz" timeout 20 - \
				maxcpus=1 rdinit=/bin/busybox -- sleep 1000
		fi
	else
		echo "result: FAIL module-build-$(basename "$kdeb") -- the build failed (see above): no Debian guests" | record
	fi
	boots

	stage "== $ver: kernels"
	bg_wait "$ver" stock
	ks=$("$HX_ROOT/scripts/kernels/build-kernel.sh" "$ver" stock kasan)
	# The patched kernel from now on, in the background: its patch-by-patch
	# walk links and compresses on one core at a time, and the test
	# modules and the stock kernel's guests take the other.
	bg_kernel "$ver" patched

	stage "== $ver: test modules"
	hx_lines ko_stock mods "$ks" "$HX_ROOT" "$HX_ROOT/tests/kunit-module" \
		"$HX_ROOT/tests/holder" "$HX_ROOT/tests/controls" "$HX_ROOT/tests/kunit" \
		"$HX_ROOT/tests/exporter" "$HX_ROOT/tests/importer" "$HX_ROOT/tests/expect" \
		"$HX_ROOT/tests/faults" "$HX_ROOT/tests/bench" "$HX_ROOT/tests/dma-debug" \
		"$HX_ROOT/tests/lockdep" "$HX_ROOT/tests/edu" "$HX_ROOT/tests/hostile"
	# The bench's lazy variant needs cache_sgt_mapping.
	variants=none+module
	if lazy_core "$ks"; then
		variants=none+lazy+module
	fi
	# the worked example, built by its own Makefile as an outside driver is
	ko_stock+=("$("$HX_ROOT/scripts/harness/build-example.sh" "$ks" "$HX_CACHE/modules/example-$ver")")
	"$HX_ROOT/scripts/harness/build-initramfs.sh" "$run/initrd-$ver-stock.gz" "${ko_stock[@]}" \
		"${progs[@]}" "$HX_ROOT/tests/guest/unload-test" "$HX_ROOT/tests/guest/module-params" \
		"$kst"
	queue "controls-$ver" "$ks" "$run/initrd-$ver-stock.gz" "$controls_expect" 240 - \
		"hx.load=$controls"
	queue "contract-$ver-stock" "$ks" "$run/initrd-$ver-stock.gz" \
		"lockdep=sgt_lockdep@case=cached" "$main_timeout" \
		"dma-buf-sgt-cache-test=$stock_expect" \
		"hx.load=dma-buf-sgt-cache-test,$(hx_lockdep_steps "$ver" stock none)" \
		cma=64M "hx.run=module-params,kselftests@$ver" hx.last=sgt_lockdep@case=cached
	# The module on the stock kernel: unload safety first (nothing else may
	# hold the module then), the matrix, the worked example
	# (examples/importer), the random loop, failure points,
	# a short stress and fault injection sweep after (make stress: longer),
	# the lockdep inversion through the module's cache, and last a map
	# under a spinlock with the core's call and the module's, each of
	# which must get might_sleep()'s report (lockdep is off by then).
	# Bad arguments: the core's WARNs, from that step only.
	queue "module-$ver-stock" "$ks" "$run/initrd-$ver-stock.gz" \
		"lockdep=sgt_lockdep_module@case=cached,warn=sgt_hostile@mode=bad_args,$atomic_expect" \
		"$main_timeout" - "hx.insmod=dma-buf-sgt-cache@deny=$mock_deny" cma=64M \
		"hx.load=dma-buf-sgt-cache-mtest,$(hx_lockdep_steps "$ver" module none),$faults,$bench:variants=$variants,sgt_hostile@mode=bad_args,sgt_hostile@mode=deny,sgt_hostile@mode=irq,sgt_hostile@mode=fence" \
		hx.run=unload-test,with-modules@sgt_mock_exporter+sgt_importer:sgt-matrix:module,with-modules@sgt_example:sgt-example,with-modules@sgt_importer:sgt-fuzz,fail-nth,$sweep \
		"hx.last=sgt_lockdep_module@case=cached,$atomic"
	# the module's lockdep cases first: the edu boots load the module anyway
	lx_fill "$ver" module stock
	edu_guests "$ver" stock "$ks" "$run/initrd-$ver-stock.gz" \
		"dma-buf-sgt-cache@deny=$mock_deny,sgt_mock_exporter" stock module
	lx_guests "$ver" "$ks" "$run/initrd-$ver-stock.gz"
	if [ "$first" = "$ver" ]; then
		"$HX_ROOT/scripts/harness/check-lint.sh" "$ks" | record
		python3 "$HX_ROOT/scripts/harness/check-doc-commands.py" "$HX_ROOT" | record
	fi
	boots

	stage "== $ver: the patched kernel (building since the stock one was built)"
	bg_wait "$ver" patched
	kp=$("$HX_ROOT/scripts/kernels/build-kernel.sh" "$ver" patched kasan)
	if [ "$kp" = "$ks" ]; then
		echo "result: SKIP series-$ver -- no patches/$ver/series yet: patched == stock" | record
		continue
	fi
	hx_lines ko_patched mods "$kp" "$HX_ROOT" "$HX_ROOT/tests/kunit-module" \
		"$HX_ROOT/tests/expect" "$HX_ROOT/tests/exporter" "$HX_ROOT/tests/importer" \
		"$HX_ROOT/tests/faults" "$HX_ROOT/tests/bench" "$HX_ROOT/tests/lockdep" \
		"$HX_ROOT/tests/edu" "$HX_ROOT/tests/hostile"
	"$HX_ROOT/scripts/harness/build-initramfs.sh" "$run/initrd-$ver-patched.gz" \
		"$kp/drivers/dma-buf/dma-buf-sgt-cache-test.ko" "${ko_patched[@]}" "${progs[@]}" \
		"$kst"
	# Last, the reports, each from its own step: the contradictory flags
	# WARN (and leave lockdep on) where the core still has
	# cache_sgt_mapping, then the inversion through the cache trips lockdep.
	warns='' lasts=''
	if lazy_core "$kp"; then
		warns=warn=sgt_cache_expect@mode=both_flags, lasts=sgt_cache_expect@mode=both_flags,
	fi
	queue "contract-$ver-patched" "$kp" "$run/initrd-$ver-patched.gz" \
		"${warns}lockdep=sgt_lockdep@case=cached,warn=sgt_hostile@mode=bad_args" \
		"$main_timeout" - \
		"hx.load=dma-buf-sgt-cache-test,dma-buf-sgt-cache-mtest,$(hx_lockdep_steps "$ver" patched none),$faults,$bench:variants=none+attach,sgt_hostile@mode=bad_args" \
		cma=64M hx.insmod=dma-buf-sgt-cache,sgt_importer,sgt_mock_exporter \
		"hx.run=sgt-import@udmabuf:cached,sgt-import@heap:uncached,sgt-matrix@patched,sgt-fuzz,kselftests@$ver,$sweep" \
		"hx.last=${lasts}sgt_lockdep@case=cached"
	lx_fill "$ver" patched
	edu_guests "$ver" patched "$kp" "$run/initrd-$ver-patched.gz" sgt_mock_exporter patched
	lx_guests "$ver" "$kp" "$run/initrd-$ver-patched.gz"
	boots
	if [ "$ver" = 6.12 ]; then
		# README's `make demo`, as a user runs it (the same patched kernel)
		( "$HX_ROOT/scripts/demo.sh" >"$run/demo.out" 2>&1 || true
		grep '^result: ' "$run/demo.out" | tail -1 | sed 's/ demo / make-demo /' |
			record ) &
		booters+=("$!")
		echo "make-demo" >>"$plan"
	fi
	# The series' static checks while the patched kernel's guests run.
	"$HX_ROOT/scripts/series/check-series.sh" "$ver" | record ||
		echo "result: FAIL series-$ver -- check-series.sh stopped (see above)" | record
	# The module's deny list: the exp_name of every exporter the series
	# opts out, as this version's sources build it.
	echo "deny-list-$ver" >>"$plan"
	deny=("$HX_ROOT/scripts/series/check-deny.py" "$HX_ROOT/dma-buf-sgt-cache.c"
		"$("$HX_ROOT/scripts/kernels/fetch-source.sh" "$ver")" "$HX_ROOT/patches/$ver")
	python3 "${deny[@]}" "deny-list-$ver" | record
	# its negative controls: the list without the CMA heap's callback, and
	# the series without the CMA heap's opt-out
	if [ "$ver" = "${vers[0]}" ]; then
		echo "control-deny-list" >>"$plan"
		"$HX_ROOT/scripts/harness/check-flip.sh" control-deny-list cma_heap_map_dma_buf \
			'maps with cma_heap_map_dma_buf, not on the deny list' "${deny[@]}" \
			"deny-list-$ver" | record
		echo "control-deny-series" >>"$plan"
		"$HX_ROOT/scripts/harness/check-flip.sh" control-deny-series series:cma_heap_map_dma_buf \
			'names cma_heap_map_dma_buf, which an exporter of this kernel maps with' \
			"${deny[@]}" "deny-list-$ver" | record
	fi
done

# The Debian package: built, lintian (and its control), installed into a
# throw-away root with DKMS building the module for each Debian kernel.
stage "== the Debian package"
for n in deb-build deb-lintian control-deb-lintian deb-autodep8; do echo "$n"; done >>"$plan"
# (a purge per throw-away root: this machine's, a Debian 13 build root's)
for d in "${debs[@]}"; do
	echo "deb-install-$(basename "$(readlink -f "$d")")"
	if [ -f "$d/build/.hx-build-root" ]; then
		echo "deb-purge-$(basename "$(cat "$d/build/.hx-build-root")" | cut -d- -f1)"
	else
		echo deb-purge
	fi
done | sort -u >>"$plan"
"$HX_ROOT/scripts/package/check-deb.sh" "${debs[@]}" | record

stage "== waiting for the guests"
touch "$run/boots.end" # the end of the queue
wait "${booters[@]}"
# gate.py's rule for kmemleak reports without the guest's since line, on
# the leak control's log of this run,
echo "control-no-since" >>"$plan"
"$HX_ROOT/scripts/harness/check-gate-since.sh" "$run/controls-$first.log" | record
# and for its rule that a report comes from the step expected to make it;
echo "control-wrong-step" >>"$plan"
"$HX_ROOT/scripts/harness/check-gate-steps.sh" "$run/controls-$first.log" "$controls_expect" | record
# the differential lockdep suite: every verdict equals stock's (a result
# line it does not print is a planned check without a result, which
# summary.py fails), and its negative control
# (a version without a series yet: its stock and module configurations)
diffvers=()
for v in "${vers[@]}"; do
	if [ -f "$HX_ROOT/patches/$v/series" ]; then diffvers+=("$v"); else diffvers+=("$v:stock,module"); fi
done
for v in "${vers[@]}"; do echo "lockdep-diff-$v"; done >>"$plan"
python3 "$HX_ROOT/scripts/harness/lockdep-diff.py" "$HX_ROOT/tests/lockdep/cases" "$run" "${diffvers[@]}" |
	record || true
echo "control-lockdep-diff" >>"$plan"
"$HX_ROOT/scripts/harness/check-flip.sh" control-lockdep-diff patched:cached \
	'cached patched: [a-z]*, stock: [a-z]*' "$HX_ROOT/scripts/harness/lockdep-diff.py" \
	"$HX_ROOT/tests/lockdep/cases" "$run" "${diffvers[@]}" | record
# the byte-level suite: every cell's bytes equal stock's, the cache where
# the policy says (scripts/harness/edu-diff.py), and its negative control
for v in "${vers[@]}"; do echo "edu-diff-$v"; done >>"$plan"
python3 "$HX_ROOT/scripts/harness/edu-diff.py" "$run" "${diffvers[@]}" | record || true
echo "control-edu-diff" >>"$plan"
"$HX_ROOT/scripts/harness/check-flip.sh" control-edu-diff patched:swiotlb:udmabuf \
	'swiotlb udmabuf patched: bytes [ox/]*, stock: [ox/]*' "$HX_ROOT/scripts/harness/edu-diff.py" \
	"$run" "${diffvers[@]}" | record

read -r busy idle < <(ticks)
busy=$((busy - busy0)) idle=$((idle - idle0))
stage "== host CPU: $((busy / $(getconf CLK_TCK))) CPU-s, $((100 * busy / (busy + idle)))% of $(nproc) cores busy"
stage "== summary"
python3 "$HX_ROOT/scripts/harness/summary.py" "$results" "$plan" "$run"
