// SPDX-License-Identifier: GPL-2.0
/*
 * The contract suite against the core's own API on a kernel without KUnit
 * and without the series: the cases for new behaviour must fail there
 * (tests/kunit/stock.expect), which proves ktap-kunit.h reports failures.
 */
#define DMA_BUF_SGT_CACHE_TEST_MODULE 0
#include "dma-buf-sgt-cache-test.c"
