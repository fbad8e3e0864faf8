// SPDX-License-Identifier: GPL-2.0
/*
 * The contract suite through the dma-buf-sgt-cache module's API, for
 * kernels without KUnit (ktap-kunit.h). tests/kunit/dma-buf-sgt-cache-test.c
 * is the single source of the cases.
 */
#define DMA_BUF_SGT_CACHE_TEST_MODULE 1
#include "dma-buf-sgt-cache-test.c"
