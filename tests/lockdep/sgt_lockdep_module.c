// SPDX-License-Identifier: GPL-2.0
/* The differential lockdep cases through dma-buf-sgt-cache.ko. */
#define SGT_LOCKDEP_VIA_MODULE 1
#include "sgt_lockdep.c"
