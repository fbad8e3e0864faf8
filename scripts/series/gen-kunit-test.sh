#!/bin/bash
# gen-kunit-test.sh VER: print the in-tree copy of the contract test for the
# series of kernel VER, generated from tests/kunit/dma-buf-sgt-cache-test.c
# (the single source) by resolving its conftest macros with unifdef (and
# the namespace macro with sed).
. "$(dirname "$0")/../lib.sh"

ver=${1:-}
check_version "$ver"
need unifdef
# What each series' kernel has, as its conftest would find it.
case "$ver" in
6.12) locked=1 lazy=1 invalidate=0 kdev=1 ns=DMA_BUF ;;
6.1) locked=0 lazy=1 invalidate=0 kdev=0 ns=DMA_BUF ;;
7.3) locked=1 lazy=0 invalidate=1 kdev=1 ns='"DMA_BUF"' ;;
esac
# Allocations in the idiom of the kernel the copy goes into: 7.x has
# kzalloc_obj(), and checkpatch asks for it.
alloc='s/kzalloc(sizeof(\(\*[a-z_]*\)), GFP_KERNEL)/kzalloc_obj(\1)/'
case "$ver" in 6.*) alloc= ;; esac
# unifdef exits 1 when it changed something: that is the point here.
rc=0
out=$(unifdef -B -DDMA_BUF_SGT_CACHE_LOCKED_MAP="$locked" -DDMA_BUF_SGT_CACHE_IN_CORE=1 \
	-DDMA_BUF_SGT_CACHE_ATTACH_SGT=1 -DDMA_BUF_SGT_CACHE_LAZY="$lazy" \
	-DDMA_BUF_SGT_CACHE_INVALIDATE_MAPPINGS="$invalidate" -DDMA_BUF_SGT_CACHE_KUNIT_DEVICE="$kdev" \
	-DDMA_BUF_SGT_CACHE_CONFTEST=1 \
	-UDMA_BUF_SGT_CACHE_TEST_MODULE \
	"$HX_ROOT/tests/kunit/dma-buf-sgt-cache-test.c") || rc=$?
[ "$rc" -le 1 ] || die "unifdef failed on the contract test"
printf '%s\n' "$out" | sed -e "s/MODULE_IMPORT_NS(DMA_BUF_SGT_CACHE_DMA_BUF_NS)/MODULE_IMPORT_NS($ns)/" \
	-e "$alloc"
