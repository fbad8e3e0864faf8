/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The table and callbacks of the minimal mock exporters in the out-of-tree
 * test modules (tests/expect, tests/holder). The KUnit suite keeps its own
 * counting mock: its in-tree copy must stand alone.
 */
#ifndef _SGT_TEST_MOCK_H
#define _SGT_TEST_MOCK_H

#include <linux/dma-buf.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

/* A one-entry table of @len DMA bytes, or ERR_PTR(-ENOMEM). */
static inline struct sg_table *sgt_test_mock_table(unsigned int len)
{
	struct sg_table *sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);

	if (!sgt)
		return ERR_PTR(-ENOMEM);
	if (sg_alloc_table(sgt, 1, GFP_KERNEL)) {
		kfree(sgt);
		return ERR_PTR(-ENOMEM);
	}
	sg_dma_len(sgt->sgl) = len;
	return sgt;
}

static inline void sgt_test_mock_unmap(struct dma_buf_attachment *attach,
				       struct sg_table *sgt,
				       enum dma_data_direction dir)
{
	sg_free_table(sgt);
	kfree(sgt);
}

static inline void sgt_test_mock_release(struct dma_buf *dmabuf)
{
}

#endif /* _SGT_TEST_MOCK_H */
