#!/bin/bash
# gen-kunit-test.sh VER: print the in-tree copy of the contract test for the
# series of kernel VER, generated from tests/kunit/dma-buf-sgt-cache-test.c
# (the single source) by resolving its conftest macros with unifdef.
. "$(dirname "$0")/lib.sh"

ver=${1:-}
check_version "$ver"
need unifdef
case "$ver" in
6.12) locked=1 ;;
6.1) locked=0 ;;
esac
# unifdef exits 1 when it changed something: that is the point here.
rc=0
unifdef -B -DDMA_BUF_SGT_CACHE_LOCKED_MAP="$locked" -DDMA_BUF_SGT_CACHE_IN_CORE=1 \
	-UDMA_BUF_SGT_CACHE_TEST_MODULE \
	"$HX_ROOT/tests/kunit/dma-buf-sgt-cache-test.c" || rc=$?
[ "$rc" -le 1 ] || die "unifdef failed on the contract test"
