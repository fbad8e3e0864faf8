#!/bin/bash
# kunit-run.sh VER: run the series' KUnit suite the way its commit message
# tells a reviewer to, with the kernel's own tool on the patched tree:
#
#   ./tools/testing/kunit/kunit.py run --kunitconfig=drivers/dma-buf
#
# (User-Mode Linux, kunit.py's default architecture, with nothing but the
# series' drivers/dma-buf/.kunitconfig). Prints one "result:" line: PASS
# when kunit.py passes, every test it ran passed, and it ran at least one
# test per case the test file declares (a parameterised case counts each
# parameter).
# The build directory stays in the patched tree, so a second run only
# relinks what changed; the compiler runs through the harness's ccache.
. "$(dirname "$0")/../lib.sh"

ver=${1:-}
check_version "$ver"
need python3 make gcc ccache
tree=$("$HX_ROOT/scripts/series/patch-tree.sh" "$ver")
[ -f "$tree/drivers/dma-buf/.kunitconfig" ] ||
	die "no drivers/dma-buf/.kunitconfig in $tree: does patches/$ver add the KUnit test?"
result() { # PASS|FAIL DETAIL
	echo "result: $1 series-$ver-kunit-py -- $2"
}

# The cases the file declares: one KUNIT_CASE() or KUNIT_CASE_PARAM() each.
cases=$(grep -cE 'KUNIT_CASE(_PARAM)?\(' "$tree/drivers/dma-buf/dma-buf-sgt-cache-test.c" || true)
build=$tree/build-kunit-um
log=$HX_CACHE/logs/kunit-py-$ver.log
mkdir -p "$HX_CACHE/logs"
hx_ccache_env
stage "series $ver: kunit.py run --kunitconfig=drivers/dma-buf (UML; log: $log)"
rc=0
(cd "$tree" && python3 tools/testing/kunit/kunit.py run --kunitconfig=drivers/dma-buf \
	--build_dir="$build" --jobs="$(nproc)" --timeout=300 \
	--make_options "CC=ccache gcc") >"$log" 2>&1 || rc=$?
# kunit.py's last words: "Testing complete. Ran N tests: passed: P, ..."
summary=$(grep -a 'Testing complete\.' "$log" | tail -1 | sed 's/.*Testing complete\. //')
ran=$(echo "$summary" | sed -n 's/^Ran \([0-9]*\) tests.*/\1/p')
passed=$(echo "$summary" | sed -n 's/.*passed: \([0-9]*\).*/\1/p')
if [ "$rc" -ne 0 ]; then
	result FAIL "kunit.py exited $rc: ${summary:-$(grep -a -m1 -iE 'error|fail' "$log" || tail -1 "$log")}"
elif [ "${ran:-0}" -lt "$cases" ] || [ "${passed:-0}" -ne "${ran:-0}" ]; then
	result FAIL "kunit.py ran ${ran:-0} tests for the $cases cases the test declares, ${passed:-0} passed"
else
	result PASS "kunit.py run --kunitconfig=drivers/dma-buf (UML): $summary"
fi
