/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the out-of-tree test modules call differently on different kernels,
 * chosen by the conftest (conftest.h, never a version number). The KUnit
 * suite spells these out with #if: its in-tree copy must stand alone.
 *
 * SGT_TEST_INVALIDATE: the member of &struct dma_buf_attach_ops that tells
 * a dynamic importer its mappings must go: move_notify, invalidate_mappings
 * since it was renamed; sgt_test_invalidate() is the exporter's call that
 * sends it.
 */
#ifndef _SGT_COMPAT_H
#define _SGT_COMPAT_H

#include <linux/dma-buf.h>

#if !defined(DMA_BUF_SGT_CACHE_INVALIDATE_MAPPINGS)
#error "include the conftest's conftest.h first"
#endif

#if DMA_BUF_SGT_CACHE_INVALIDATE_MAPPINGS
#define SGT_TEST_INVALIDATE invalidate_mappings

static inline void sgt_test_invalidate(struct dma_buf *dmabuf)
{
	dma_buf_invalidate_mappings(dmabuf);
}
#else
#define SGT_TEST_INVALIDATE move_notify

static inline void sgt_test_invalidate(struct dma_buf *dmabuf)
{
	dma_buf_move_notify(dmabuf);
}
#endif

#endif /* _SGT_COMPAT_H */
