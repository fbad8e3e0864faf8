#!/bin/bash
# kunit-run.sh VER [--control]: run the series' KUnit suite the way its commit message
# tells a reviewer to, with the kernel's own tool on the patched tree:
#
#   ./tools/testing/kunit/kunit.py run --kunitconfig=drivers/dma-buf
#
# (User-Mode Linux, kunit.py's default architecture, with nothing but the
# series' drivers/dma-buf/.kunitconfig, which on 7.3 also holds upstream's
# dma-buf suites). Prints one "result:" line: PASS when kunit.py passes and
# the dma_buf_sgt_cache suite ran every case the test file declares, each
# passed (none failed or skipped). Upstream's suites are kunit.py's to
# judge: one of them skips on one CPU.
# The build directory stays in the patched tree, so a second run only
# relinks what changed; the compiler runs through the harness's ccache.
#
# --control: the gate's negative control. After a run, `kunit.py exec` of
# the same kernel with one case only (a filter glob): the judgment above
# must fail it, and the line says whether it did.
. "$(dirname "$0")/../lib.sh"

ver=${1:-} control=${2:-}
check_version "$ver"
case "$control" in "" | --control) ;; *) die "unknown option '$control' (--control)" ;; esac
need python3 make gcc ccache
tree=$("$HX_ROOT/scripts/series/patch-tree.sh" "$ver")
[ -f "$tree/drivers/dma-buf/.kunitconfig" ] ||
	die "no drivers/dma-buf/.kunitconfig in $tree: does patches/$ver add the KUnit test?"
verdict() { # PASS|FAIL DETAIL: the gate's judgment
	echo "$1 $2"
}

# The cases the file declares: one KUNIT_CASE() or KUNIT_CASE_PARAM() each.
cases=$(grep -cE 'KUNIT_CASE(_PARAM)?\(' "$tree/drivers/dma-buf/dma-buf-sgt-cache-test.c" || true)
build=$tree/build-kunit-um
log=$HX_CACHE/logs/kunit-py-$ver.log
mkdir -p "$HX_CACHE/logs"
hx_ccache_env
rc=0
if [ -z "$control" ]; then
	stage "series $ver: kunit.py run --kunitconfig=drivers/dma-buf (UML; log: $log)"
	(cd "$tree" && python3 tools/testing/kunit/kunit.py run --kunitconfig=drivers/dma-buf \
		--build_dir="$build" --jobs="$(nproc)" --timeout=300 \
		--make_options "CC=ccache gcc") >"$log" 2>&1 || rc=$?
else
	[ -x "$build/linux" ] || die "no UML kernel in $build: run kunit-run.sh $ver first"
	log=$HX_CACHE/logs/kunit-py-$ver-control.log
	(cd "$tree" && python3 tools/testing/kunit/kunit.py exec --build_dir="$build" \
		--timeout=300 dma_buf_sgt_cache.attach_maps_once) >"$log" 2>&1 || rc=$?
fi
# kunit.py's last words: "Testing complete. Ran N tests: passed: P, ..."
summary=$(grep -a 'Testing complete\.' "$log" | tail -1 | sed 's/.*Testing complete\. //')
# The suite's section: "== dma_buf_sgt_cache (N subtests) ==" to its
# "[STATUS] dma_buf_sgt_cache" line; the subtests' own results in between.
suite=$(sed -n '/=* dma_buf_sgt_cache (/,/\] dma_buf_sgt_cache =/p' "$log")
ran=$(echo "$suite" | head -1 | sed -n 's/.*(\([0-9]*\) subtests\{0,1\}).*/\1/p')
status=$(echo "$suite" | tail -1 | sed -n 's/.*\[\([A-Z]*\)\] dma_buf_sgt_cache.*/\1/p')
bad=$(echo "$suite" | { grep -aE '\[(FAILED|SKIPPED|CRASHED)\]' || true; } | sed 's/.*\] //' |
	tr '\n' ' ')
v=$(if [ "$rc" -ne 0 ]; then
	verdict FAIL "kunit.py exited $rc: ${summary:-$(grep -a -m1 -iE 'error|fail' "$log" || tail -1 "$log")}"
elif [ "${ran:-0}" -ne "$cases" ]; then
	verdict FAIL "dma_buf_sgt_cache ran ${ran:-no} cases of the $cases the test declares"
elif [ "$status" != PASSED ] || [ -n "$bad" ]; then
	verdict FAIL "dma_buf_sgt_cache: ${status:-no status}; not passed: ${bad:-none named}"
else
	verdict PASS "kunit.py run --kunitconfig=drivers/dma-buf (UML): dma_buf_sgt_cache $ran/$cases cases passed; in all: $summary"
fi)
if [ -z "$control" ]; then
	echo "result: ${v%% *} series-$ver-kunit-py -- ${v#* }"
elif [ "${v%% *}" = FAIL ]; then
	echo "result: PASS control-kunit-py-$ver -- tripped: ${v#* }"
else
	echo "result: FAIL control-kunit-py-$ver -- did not trip: one case passed as the suite: ${v#* }"
fi
